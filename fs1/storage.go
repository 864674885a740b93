package fs1

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

func init() {
	zodb.RegisterDriver("file", openURL)
}

func openURL(ctx context.Context, u *url.URL, rawURL string, opt *zodb.Options) (zodb.Storage, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("fs1: open %s: file URL with a host", rawURL)
	}
	if u.Path == "" {
		return nil, fmt.Errorf("fs1: open %s: no path", rawURL)
	}
	fs, err := Open(ctx, u.Path, opt)
	if err != nil {
		return nil, err
	}
	fs.url = rawURL
	return fs, nil
}

// FileStorage is a FileStorage data file served as a zodb.Storage and,
// unless opened read-only, as a zodb.Writer. It answers as Python's
// FileStorage does on the same file, including one with a torn tail (see
// Tail), and writes what Python writes.
//
// All methods may be called from several goroutines at once.
type FileStorage struct {
	// file is the data file. Pack replaces it holding mu and the commit
	// lock: read it holding either, and take it with the index positions
	// it goes with in one critical section (see snapshot).
	file     *File
	path     string
	url      string
	readOnly bool
	idxPath  string
	w        *writer // nil when read-only

	mu struct {
		sync.RWMutex
		index *fsindex.Index // oid → current record, up to scan.pos
		scan  scanState
		dirty bool // index holds more than data.fs.index
	}
}

var (
	_ zodb.Storage = (*FileStorage)(nil)
	_ zodb.Writer  = (*FileStorage)(nil)
)

// Open opens the FileStorage at path: OpenWith with Python's durability
// and warnings logged to slog.Default().
func Open(ctx context.Context, path string, opt *zodb.Options) (*FileStorage, error) {
	o := &Options{}
	if opt != nil {
		o.Options = *opt
	}
	return OpenWith(ctx, path, o)
}

// OpenWith opens the FileStorage at path.
//
// It loads path.index when Python would trust it and completes it by
// reading the transactions after it; otherwise it rebuilds the index by
// reading the whole file and, unless opt.ReadOnly, saves it as Python does.
//
// Read-only, the data file is never written to, and a torn or unfinished
// last transaction is not served (see Tail). For writing, Open does what
// Python's read-write open does: it takes path.lock (see Lock), creates a
// missing file with the magic FS30, and cuts a torn or unfinished tail off
// the file, saving the bytes cut to path.tr0 (or .tr1, ...) and logging a
// warning to opt.Logger, except for a cut transaction header, which Python
// drops without saving.
//
// Errors: the file cannot be opened, is not a FileStorage, or a record
// before its tail is corrupt (a *RecordError wrapping zodb.ErrCorrupt);
// for writing, another writer holds the lock (an error wrapping ErrLocked)
// or the tail cannot be saved and cut.
func OpenWith(ctx context.Context, path string, opt *Options) (*FileStorage, error) {
	if opt == nil {
		opt = &Options{}
	}
	if !opt.ReadOnly {
		return openWriter(ctx, path, opt)
	}
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	fs := &FileStorage{file: f, path: path, url: path, readOnly: true, idxPath: path + ".index"}
	if _, err := fs.openIndex(ctx); err != nil {
		f.Close()
		return nil, err
	}
	return fs, nil
}

// openIndex builds fs.mu: the saved index when it may be trusted, else a
// new one, completed by scanning the rest of the file. It says whether the
// index was rebuilt.
func (fs *FileStorage) openIndex(ctx context.Context) (rebuilt bool, err error) {
	idx, last := fs.file.loadIndex(fs.idxPath)
	rebuilt = idx == nil
	s := scanState{pos: FileHeaderLen}
	if rebuilt {
		idx = fsindex.New()
	} else {
		s = scanState{pos: idx.TopPos, last: last, head: last}
	}
	s, err = fs.file.scan(ctx, idx, s, nil)
	if err != nil {
		return false, err
	}
	fs.mu.dirty = rebuilt || s.pos != idx.TopPos
	idx.TopPos = s.pos
	fs.mu.index, fs.mu.scan = idx, s
	return rebuilt, nil
}

// saveRebuiltIndex saves an index Open had to rebuild, as Python does
// right away. The index is a cache: failing to save it (say, in a
// read-only directory) does not stop the storage from working.
func (fs *FileStorage) saveRebuiltIndex() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.saveIndexLocked() == nil {
		fs.mu.dirty = false
	}
}

// saveIndexLocked writes the index next to the data file, in Python's
// format. REQUIRES: fs.mu held (read is enough).
func (fs *FileStorage) saveIndexLocked() error {
	return fs.mu.index.SaveFile(fs.idxPath)
}

// File returns the data file, for record-level reading.
func (fs *FileStorage) File() *File {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return fs.file
}

// lookup returns the position of oid's current record and the file it is
// in, taken together so that a pack switching files in between cannot
// mix them.
func (fs *FileStorage) lookup(oid zodb.Oid) (*File, int64, bool) {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	pos, ok := fs.mu.index.Get(oid)
	return fs.file, pos, ok
}

// URL returns the URL or path the storage was opened with.
func (fs *FileStorage) URL() string { return fs.url }

// Name returns the path of the data file, as Python's getName does.
func (fs *FileStorage) Name() string { return fs.path }

// Size returns the end of the last committed transaction, Python's getSize.
func (fs *FileStorage) Size() int64 {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return fs.mu.scan.pos
}

// Head returns Python's lastTransaction: the tid of the last transaction
// header read. On a file opened read-only with a torn tail whose header
// could be read, that is the torn transaction's tid, though it is not
// served, until the first Sync. A storage opened for writing has cut its
// tail off: its head is its last committed transaction.
func (fs *FileStorage) Head() zodb.Tid {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return fs.mu.scan.head
}

// Tail returns what ends the data file without being served, or nil when
// the file ends with a committed transaction.
func (fs *FileStorage) Tail() *TornTail {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return fs.mu.scan.tail
}

// Sync reads the transactions committed to the file since the open or the
// last Sync and returns the new head: the last committed transaction.
// Unlike at Open, a transaction still being written by another process
// (a torn or checkpoint tail) does not count, so that the data at the head
// never change once seen. Sync cannot follow a pack, which replaces the
// file. A storage opened for writing is the only writer of its file: its
// Sync returns its head.
func (fs *FileStorage) Sync(ctx context.Context) (zodb.Tid, error) {
	if fs.w != nil {
		return fs.Head(), nil
	}
	size, err := fs.File().Refresh()
	if err != nil {
		return 0, &zodb.OpError{URL: fs.url, Op: "sync", Err: err}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if size < fs.mu.scan.pos {
		err := fmt.Errorf("fs1: %s: file shrank from %d to %d bytes (packed?)", fs.path, fs.mu.scan.pos, size)
		return 0, &zodb.OpError{URL: fs.url, Op: "sync", Err: err}
	}
	// scan leaves the index and s consistent when it fails: they
	// hold every transaction before the faulty one.
	s, err := fs.file.scan(ctx, fs.mu.index, fs.mu.scan, nil)
	s.head = s.last
	if s.pos != fs.mu.scan.pos {
		fs.mu.dirty = true
	}
	fs.mu.index.TopPos = s.pos
	fs.mu.scan = s
	if err != nil {
		return 0, &zodb.OpError{URL: fs.url, Op: "sync", Err: err}
	}
	return s.head, nil
}

// Close closes the storage. Opened for writing, it aborts a transaction
// that voted and did not finish, waits for a commit in progress, saves the
// index when it grew since loaded (as Python saves it on close) and
// releases the lock.
func (fs *FileStorage) Close() error {
	if fs.w != nil {
		return fs.closeWriter()
	}
	return fs.File().Close()
}
