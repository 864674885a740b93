package fs1

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// Pack packs the storage to the pack time packTid while it keeps serving
// loads and taking commits, as Python's FileStorage.pack does.
//
// Revisions written at or before packTid that are not current at it are
// removed; unless opt.NoGC, so are objects not reachable from the root
// (oid 0) at packTid, following references as ZODB's referencesf finds
// them (zpickle.Refs). Revisions that a backpointer after packTid points
// to are kept, their data copied in. Kept transactions up to packTid get
// status 'p'; everything after packTid stays as it was, pointers rewritten.
// The packed file replaces the data file (which becomes data.fs.old,
// removed when opt.RemoveOld) and the index is saved. The packed file is
// on disk before it replaces the old one, unless the storage was opened
// with SyncNone.
//
// Loads keep being served during the pack and after it: the storage
// switches to the packed file at once, and readers that still hold the
// old file (an Iterate begun before) keep reading it. Transactions may
// commit during the pack: those committed before the packed file is
// complete are copied to it, the last ones under the commit lock, as
// Python's packer does.
//
// A pack that would remove nothing (a pack time before the first
// transaction, or a file already packed at or after it) leaves the file
// as it was; the result says so.
//
// Errors, wrapped in *zodb.OpError: zodb.ErrReadOnly for a storage opened
// read-only; a pack already running; a corrupt record (a *RecordError
// wrapping zodb.ErrCorrupt); a *DanglingRefError, as Python's pack fails
// on a reference to an object that does not exist at the pack time; an
// I/O error; ctx's error. On error the storage goes on with its file as
// it was.
func (fs *FileStorage) Pack(ctx context.Context, packTid zodb.Tid, opt *PackOptions) (*PackResult, error) {
	res, err := fs.pack(ctx, packTid, opt)
	if err != nil {
		return nil, &zodb.OpError{URL: fs.url, Op: "pack", Args: packTid, Err: err}
	}
	return res, nil
}

// packing holds the storages with a pack running: Python refuses a second
// pack ("Already packing").
var packing sync.Map // *FileStorage → struct{}

var errPacking = errors.New("already packing")

func (fs *FileStorage) pack(ctx context.Context, packTid zodb.Tid, opt *PackOptions) (*PackResult, error) {
	if fs.w == nil {
		return nil, zodb.ErrReadOnly
	}
	if err := fs.w.usable(); err != nil {
		return nil, err
	}
	if _, busy := packing.LoadOrStore(fs, struct{}{}); busy {
		return nil, errPacking
	}
	defer packing.Delete(fs)

	fs.mu.RLock()
	src, eof, empty := fs.file, fs.mu.scan.pos, fs.mu.index.Len() == 0
	fs.mu.RUnlock()
	r := newPackRun(src, eof, packTid, opt)
	r.sync = fs.w.sync != SyncNone
	if empty {
		r.res.Reason = reasonEmpty
		return &r.res, nil
	}
	ok, err := r.prepare(ctx)
	if !ok || err != nil {
		return &r.res, err
	}
	idx, err := fs.copyCommitted(ctx, r)
	if err != nil {
		return nil, err
	}
	// The commit lock is held: the packed file has every committed
	// transaction, and none may commit until the switch is done.
	err = fs.switchFile(idx, r.sync)
	fs.w.unlockCommit()
	if err != nil {
		return nil, err
	}
	if r.opt.RemoveOld {
		if err := os.Remove(fs.path + ".old"); err != nil {
			return nil, fmt.Errorf("fs1: %w", err)
		}
	}
	fs.mu.Lock()
	if fs.saveIndexLocked() == nil {
		fs.mu.dirty = false
	}
	fs.mu.Unlock()
	return &r.res, nil
}

// copyCommitted copies the transactions after the pack time to the packed
// file: those committed before the pack began, then, in a few rounds,
// those committed meanwhile, then, under the commit lock, the last ones.
// It returns with the commit lock held, the packed file complete, and its
// index; on error, without the lock and the packed file removed.
func (fs *FileStorage) copyCommitted(ctx context.Context, r *packRun) (*fsindex.Index, error) {
	pos := r.gc.packPos
	locked := false
	for round := 0; ; round++ {
		fs.mu.RLock()
		end := fs.mu.scan.pos
		fs.mu.RUnlock()
		if pos < end {
			if err := r.copyRest(ctx, pos, end); err != nil {
				return nil, r.unlockAbort(fs, locked, err)
			}
			pos = end
			if !locked && round < packCatchUpRounds {
				continue // commits went on meanwhile: catch up first
			}
		}
		if locked {
			break
		}
		if err := fs.w.lockCommit(ctx); err != nil {
			return nil, r.abort(err)
		}
		locked = true
	}
	idx, err := r.finish()
	if err != nil {
		fs.w.unlockCommit()
		return nil, err
	}
	r.res.OldSize = pos
	return idx, nil
}

// packCatchUpRounds bounds how many times copyCommitted copies what was
// committed while it copied, before it takes the commit lock for the rest.
const packCatchUpRounds = 4

func (r *packRun) unlockAbort(fs *FileStorage, locked bool, err error) error {
	if locked {
		fs.w.unlockCommit()
	}
	return r.abort(err)
}

// switchFile puts the packed file in place of the data file, as Python's
// pack does (data.fs → data.fs.old, data.fs.pack → data.fs), and makes the
// storage serve it with the index idx. REQUIRES: commit lock held.
func (fs *FileStorage) switchFile(idx *fsindex.Index, sync bool) error {
	path := fs.path
	if err := swapFiles(path, sync); err != nil {
		os.Remove(path + ".pack")
		return err
	}
	nf, nwf, err := openPacked(path)
	if err != nil {
		// Put the names back: the open handles still read and write
		// the old file, which is data.fs again.
		if err2 := unswapFiles(path); err2 != nil {
			return fmt.Errorf("%w (and putting %s back failed: %w)", err, path, err2)
		}
		return err
	}
	fs.mu.Lock()
	old := fs.file
	fs.file = nf
	fs.mu.index = idx
	fs.mu.scan.pos, fs.mu.scan.tail = idx.TopPos, nil
	fs.mu.dirty = true
	fs.mu.Unlock()
	w := fs.w
	oldw := w.file
	w.file, w.end = nwf, idx.TopPos
	oldw.Close()
	retire(old)
	return nil
}

// openPacked opens the packed file, now at path, for reading and writing.
func openPacked(path string) (*File, *os.File, error) {
	nf, err := OpenFile(path)
	if err != nil {
		return nil, nil, err
	}
	nwf, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		nf.Close()
		return nil, nil, fmt.Errorf("fs1: %w", err)
	}
	return nf, nwf, nil
}

// unswapFiles undoes swapFiles.
func unswapFiles(path string) error {
	if err := os.Rename(path, path+".pack"); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	if err := os.Rename(path+".old", path); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	os.Remove(path + ".pack")
	syncParent(path)
	return nil
}

// retire lets the replaced file go once no reader holds it: an iterator
// begun before the switch keeps reading it. Its memory maps are released
// when it becomes unreachable (its os.File closes itself then).
func retire(f *File) {
	f.maps.mu.Lock()
	maps := append([][]byte(nil), f.maps.old...)
	if cur := f.maps.cur.Load(); cur != nil {
		maps = append(maps, *cur)
	}
	f.maps.mu.Unlock()
	runtime.AddCleanup(f, func(maps [][]byte) {
		for _, b := range maps {
			munmap(b)
		}
	}, maps)
}
