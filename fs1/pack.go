package fs1

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// Packing follows Python's FileStorage.pack and ZODB/FileStorage/fspack.py:
//
//   - Up to the pack time (transactions with tid <= the pack tid), only the
//     records a pack keeps are copied (see packGC): the revision of each
//     object reachable from the root that is current at the pack time, and
//     the revisions that backpointers after the pack time point to. Their
//     data is copied in (no backpointers), their previous-record pointers
//     are 0, and their transactions get status 'p'. A transaction left
//     without records is dropped.
//   - Every transaction after the pack time is copied whole, pointers
//     rewritten for the new positions.
//   - The result is written to data.fs.pack; data.fs becomes data.fs.old
//     and data.fs.pack becomes data.fs; the index is saved.
//
// Packing a file twice at the same time, or at a time before its first
// transaction, changes nothing, as in Python.
//
// The packed file is Python's byte for byte, index included, wherever
// Python's pack succeeds (checked on small.fs at every transaction and on
// a generated file of 100,000 objects with undo records). Where Python's
// pack fails because a backpointer after the pack time names a revision
// the pack did not keep — without GC (an AssertionError, or "Invalid
// backpointer transaction id"), or for an undo committed during the pack —
// this one copies the data in and goes on. Python finds the transaction a
// backpointer names by walking the packed file backwards, once per record;
// this one looks it up in the list of the transactions it wrote, with the
// same result. Blobs are not handled: fs1 has no blob directory.

// PackOptions tune a pack. The zero value packs as Python's FileStorage
// does by default.
type PackOptions struct {
	// NoGC keeps every object whose revision is current at the pack time,
	// reachable from the root or not: Python's pack_gc=False. It also
	// packs files with references to objects that do not exist, which
	// garbage collection refuses (see DanglingRefError).
	NoGC bool
	// RemoveOld removes data.fs.old once the pack is done; by default it
	// is kept, as Python's pack_keep_old=True keeps it.
	RemoveOld bool
	// Progress, if not nil, is called now and then with how much of the
	// work is done, out of total (units of bytes read).
	Progress func(done, total int64)
	// Logger receives what PackFile's read-write open warns about (a
	// torn tail cut off), as Options.Logger; nil means slog.Default().
	Logger *slog.Logger
}

// PackResult says what a pack did.
type PackResult struct {
	// Packed is false when the pack had nothing to remove and left the
	// file as it was; Reason then says why.
	Packed bool
	Reason string
	// PackTid is the pack time the pack used.
	PackTid zodb.Tid
	// OldSize and NewSize are the sizes of the committed data before and
	// after the pack.
	OldSize, NewSize int64
}

// Reasons a pack leaves a file as it was.
const (
	reasonEmpty     = "the storage holds no object"
	reasonRedundant = "the file was already packed at or after the pack time, or nothing was committed since the last pack"
	reasonNoGain    = "nothing before the pack time can be removed"
)

func (o *PackOptions) progress(done, total int64) {
	if o != nil && o.Progress != nil {
		o.Progress(done, total)
	}
}

// packRun is one pack of a data file: its GC, the copy, and what it
// found.
type packRun struct {
	src     *File
	eof     int64 // end of the committed transactions when the pack started
	packTid zodb.Tid
	opt     PackOptions
	sync    bool // wait for the disk before the packed file replaces the old
	gc      *packGC
	out     *packOut
	copier  *packCopier
	res     PackResult
}

func newPackRun(src *File, eof int64, packTid zodb.Tid, opt *PackOptions) *packRun {
	r := &packRun{src: src, eof: eof, packTid: packTid}
	if opt != nil {
		r.opt = *opt
	}
	r.res = PackResult{PackTid: packTid, OldSize: eof, NewSize: eof}
	// The work: reading the file for the GC, then again to copy it.
	total := 2 * max(eof, 1)
	r.gc = &packGC{f: src, eof: eof, packTid: packTid, noGC: r.opt.NoGC,
		progress: func(pos int64) { r.opt.progress(pos, total) }}
	return r
}

// prepare finds what to keep and copies the transactions up to the pack
// time to path+".pack". It returns false, with r.res.Reason set and no
// file left behind, when the pack would remove nothing.
func (r *packRun) prepare(ctx context.Context) (bool, error) {
	if err := r.gc.findReachable(ctx); err != nil {
		return false, err
	}
	if r.gc.redundant {
		r.res.Reason = reasonRedundant
		return false, nil
	}
	out, err := createPackOut(r.src.Path() + ".pack")
	if err != nil {
		return false, err
	}
	r.out = out
	total := 2 * max(r.eof, 1)
	r.copier = newPackCopier(r.src, r.gc, out)
	r.copier.progress = func(pos int64) { r.opt.progress(r.eof+pos, total) }
	if err := out.append([]byte(r.src.Magic())); err != nil {
		return false, r.abort(err)
	}
	if err := r.copier.copyToPackTime(ctx); err != nil {
		return false, r.abort(err)
	}
	if out.pos() == r.gc.packPos {
		// The records before the pack time are all kept as they are.
		r.out.close(true)
		r.out = nil
		r.res.Reason = reasonNoGain
		return false, nil
	}
	return true, nil
}

// copyRest copies the transactions of the source in [from, to).
func (r *packRun) copyRest(ctx context.Context, from, to int64) error {
	if err := r.copier.copyRest(ctx, from, to); err != nil {
		return r.abort(err)
	}
	return nil
}

// finish makes the packed file durable and returns its index.
func (r *packRun) finish() (*fsindex.Index, error) {
	if err := r.out.finish(r.sync); err != nil {
		return nil, r.abort(err)
	}
	if err := r.out.close(false); err != nil {
		os.Remove(r.out.path)
		return nil, err
	}
	idx := fsindex.New()
	for oid, pos := range r.copier.index {
		idx.Set(oid, pos)
	}
	idx.TopPos = r.out.pos()
	r.res.Packed = true
	r.res.NewSize = idx.TopPos
	r.opt.progress(1, 1)
	return idx, nil
}

// abort removes the packed file being written and returns err.
func (r *packRun) abort(err error) error {
	if r.out != nil {
		r.out.close(true)
		r.out = nil
	}
	return err
}

// swapFiles renames path to path.old and path.pack to path, as Python's
// pack does, and, if sync, makes the renames durable.
func swapFiles(path string, sync bool) error {
	old := path + ".old"
	if err := os.Rename(path, old); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	if err := os.Rename(path+".pack", path); err != nil {
		// Put the data file back: the pack is lost, nothing else.
		if err2 := os.Rename(old, path); err2 != nil {
			return fmt.Errorf("fs1: %w (and moving %s back failed: %w)", err, old, err2)
		}
		return fmt.Errorf("fs1: %w", err)
	}
	if sync {
		syncParent(path)
	}
	return nil
}

// syncParent makes a rename in path's directory durable. It is best
// effort: some filesystems refuse to fsync a directory.
func syncParent(path string) {
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
