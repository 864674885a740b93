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

// FileStorage is a FileStorage data file served as a zodb.Storage, for
// reading. It answers as Python's FileStorage does on the same file,
// including one with a torn tail (see Tail).
//
// All methods may be called from several goroutines at once.
type FileStorage struct {
	file     *File
	url      string
	readOnly bool
	idxPath  string

	mu struct {
		sync.RWMutex
		index *fsindex.Index // oid → current record, up to scan.pos
		scan  scanState
		dirty bool // index holds more than data.fs.index
	}
}

var _ zodb.Storage = (*FileStorage)(nil)

// Open opens the FileStorage at path.
//
// It loads path.index when Python would trust it and completes it by
// reading the transactions after it; otherwise it rebuilds the index by
// reading the whole file and, unless opt.ReadOnly, saves it as Python does.
// The data file is never written to. A torn or unfinished last transaction
// is not served (see Tail).
//
// Errors: the file cannot be opened, is not a FileStorage, or a record
// before its tail is corrupt (a *RecordError wrapping zodb.ErrCorrupt).
func Open(ctx context.Context, path string, opt *zodb.Options) (*FileStorage, error) {
	if opt == nil {
		opt = &zodb.Options{}
	}
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	fs := &FileStorage{file: f, url: path, readOnly: opt.ReadOnly, idxPath: path + ".index"}
	if err := fs.openIndex(ctx); err != nil {
		f.Close()
		return nil, err
	}
	return fs, nil
}

// openIndex builds fs.mu: the saved index when it may be trusted, else a
// new one, completed by scanning the rest of the file.
func (fs *FileStorage) openIndex(ctx context.Context) error {
	idx, last := fs.file.loadIndex(fs.idxPath)
	rebuilt := idx == nil
	s := scanState{pos: FileHeaderLen}
	if rebuilt {
		idx = fsindex.New()
	} else {
		s = scanState{pos: idx.TopPos, last: last, head: last}
	}
	s, err := fs.file.scan(ctx, idx, s, nil)
	if err != nil {
		return err
	}
	fs.mu.dirty = rebuilt || s.pos != idx.TopPos
	idx.TopPos = s.pos
	fs.mu.index, fs.mu.scan = idx, s
	if rebuilt && !fs.readOnly {
		// Python saves a rebuilt index right away. The index is a
		// cache: failing to save it (say, in a read-only directory)
		// does not stop the storage from working.
		if fs.saveIndexLocked() == nil {
			fs.mu.dirty = false
		}
	}
	return nil
}

// saveIndexLocked writes the index next to the data file, in Python's
// format. REQUIRES: fs.mu held (read is enough).
func (fs *FileStorage) saveIndexLocked() error {
	return fs.mu.index.SaveFile(fs.idxPath)
}

// File returns the data file, for record-level reading.
func (fs *FileStorage) File() *File { return fs.file }

// URL returns the URL or path the storage was opened with.
func (fs *FileStorage) URL() string { return fs.url }

// Name returns the path of the data file, as Python's getName does.
func (fs *FileStorage) Name() string { return fs.file.Path() }

// Size returns the end of the last committed transaction, Python's getSize.
func (fs *FileStorage) Size() int64 {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return fs.mu.scan.pos
}

// Head returns Python's lastTransaction: the tid of the last transaction
// header read. On a file with a torn tail whose header could be read,
// that is the torn transaction's tid, though it is not served.
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
// last Sync and returns the new head. It cannot follow a pack, which
// replaces the file.
func (fs *FileStorage) Sync(ctx context.Context) (zodb.Tid, error) {
	if _, err := fs.file.Refresh(); err != nil {
		return 0, &zodb.OpError{URL: fs.url, Op: "sync", Err: err}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	// scan leaves the index and s consistent when it fails: they
	// hold every transaction before the faulty one.
	s, err := fs.file.scan(ctx, fs.mu.index, fs.mu.scan, nil)
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

// Close closes the storage. Opened for writing, it saves the index when it
// grew since loaded, as Python saves it on close.
func (fs *FileStorage) Close() error {
	fs.mu.RLock()
	if fs.mu.dirty && !fs.readOnly {
		fs.saveIndexLocked() // a cache: see openIndex
	}
	fs.mu.RUnlock()
	return fs.file.Close()
}
