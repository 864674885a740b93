package fs1

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// writer is the write side of a FileStorage opened for writing.
//
// Transactions are built in memory by any number of goroutines, then
// commit one at a time: the commit lock is held from Vote to Finish or
// Abort, as Python's FileStorage holds its _commit_lock. While held, the
// file may end past Size with the voted transaction, status 'c'.
type writer struct {
	file *os.File // the data file, opened for writing
	lock *FileLock
	sync SyncMode
	log  *slog.Logger

	// commit is the commit lock: a channel so that Vote can give up
	// waiting when its context is done.
	commit chan struct{}

	// end is where the file physically ends: Size, or after the voted
	// transaction. An abort that failed to cut the file leaves it after
	// Size; the next Vote cuts it first. REQUIRES: commit lock held.
	end int64

	// newTid gives the tid of a new transaction after prev. Tests replace
	// it to make the tids of a file Python wrote.
	newTid func(prev zodb.Tid) zodb.Tid

	// writeFault and syncFault, set by tests, write and sync in place of
	// the file, to fail as a full or failing disk does.
	writeFault func(f *os.File, b []byte, pos int64) error
	syncFault  func() error

	mu struct {
		sync.Mutex
		lastOid  zodb.Oid // the greatest oid given out or stored
		tidFloor zodb.Tid // new tids are after it: the head, or a tid cut off at open
		voted    *txn     // the transaction holding the commit lock
		closed   bool
		broken   error // a Finish failed after its status byte: see finish
	}
}

func newWriter(wf *os.File, lock *FileLock, opt *Options, log *slog.Logger) *writer {
	return &writer{
		file:   wf,
		lock:   lock,
		sync:   opt.Sync,
		log:    log,
		commit: make(chan struct{}, 1),
		newTid: func(prev zodb.Tid) zodb.Tid { return zodb.TidAfter(prev, time.Now()) },
	}
}

// writeAt writes b at pos in the data file.
func (w *writer) writeAt(b []byte, pos int64) error {
	if w.writeFault != nil {
		return w.writeFault(w.file, b, pos)
	}
	_, err := w.file.WriteAt(b, pos)
	return err
}

// datasync waits for the data file to reach the disk.
func (w *writer) datasync() error {
	if w.syncFault != nil {
		if err := w.syncFault(); err != nil {
			return err
		}
	}
	return datasync(w.file)
}

// initWriter sets what the writer learns from the opened file: where it
// ends, the greatest oid (Python's read_index returns index.maxKey()) and
// the tid new transactions must follow.
func (fs *FileStorage) initWriter(tidFloor zodb.Tid) {
	w := fs.w
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	w.end = fs.mu.scan.pos
	w.mu.lastOid, _ = fs.mu.index.MaxOid()
	w.mu.tidFloor = max(tidFloor, fs.mu.scan.last)
}

// lockCommit takes the commit lock, or gives up when ctx is done.
func (w *writer) lockCommit(ctx context.Context) error {
	select {
	case w.commit <- struct{}{}:
		return nil
	default:
	}
	select {
	case w.commit <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) unlockCommit() { <-w.commit }

// usable says why no transaction may commit now, if so.
func (w *writer) usable() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.mu.closed:
		return errClosed
	case w.mu.broken != nil:
		return fmt.Errorf("a commit failed half-way, reopen the storage: %w", w.mu.broken)
	}
	return nil
}

var errClosed = errors.New("storage is closed")

// sawOid notes that oid is in use, as Python's set_max_oid: NewOid will
// not give it out.
func (w *writer) sawOid(oid zodb.Oid) {
	w.mu.Lock()
	w.mu.lastOid = max(w.mu.lastOid, oid)
	w.mu.Unlock()
}

// NewOid returns an oid above every oid in the file and every oid given
// out or stored since the open, as Python's new_oid.
//
// Errors: zodb.ErrReadOnly for a read-only storage; the storage is
// closed; oids are exhausted. Errors are wrapped in *zodb.OpError.
func (fs *FileStorage) NewOid(ctx context.Context) (zodb.Oid, error) {
	oid, err := fs.newOid()
	if err != nil {
		return 0, &zodb.OpError{URL: fs.url, Op: "new oid", Err: err}
	}
	return oid, nil
}

func (fs *FileStorage) newOid() (zodb.Oid, error) {
	w := fs.w
	if w == nil {
		return 0, zodb.ErrReadOnly
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mu.closed {
		return 0, errClosed
	}
	if w.mu.lastOid == ^zodb.Oid(0) {
		return 0, errors.New("fs1: no oid left")
	}
	w.mu.lastOid++
	return w.mu.lastOid, nil
}

// closeWriter closes a storage opened for writing: see Close.
func (fs *FileStorage) closeWriter() error {
	w := fs.w
	w.mu.Lock()
	if w.mu.closed {
		w.mu.Unlock()
		return nil
	}
	w.mu.closed = true
	voted := w.mu.voted
	w.mu.Unlock()
	if voted != nil {
		voted.abort() // waits for a Finish in progress, then does nothing
	}
	// Wait for a Vote in progress; Votes that follow see closed.
	w.lockCommit(context.Background())
	defer w.unlockCommit()

	fs.mu.RLock()
	if fs.mu.dirty {
		fs.saveIndexLocked() // a cache: see saveRebuiltIndex
	}
	fs.mu.RUnlock()
	err := w.file.Close()
	if cerr := fs.file.Close(); err == nil {
		err = cerr
	}
	if lerr := w.lock.Unlock(); err == nil {
		err = lerr
	}
	return err
}
