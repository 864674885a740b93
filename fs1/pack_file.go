package fs1

import (
	"context"
	"fmt"
	"os"

	"github.com/zodbneo/zodbneo/zodb"
)

// PackFile packs the FileStorage at path, which no process has open for
// writing, to the pack time packTid: see FileStorage.Pack for what a pack
// keeps. It reads a torn or unfinished tail as Open does and leaves it
// out of the packed file; data.fs.old keeps it.
//
// Errors, wrapped in *zodb.OpError: the file cannot be opened or is not a
// FileStorage, a record is corrupt (a *RecordError wrapping
// zodb.ErrCorrupt), a *DanglingRefError, an I/O error writing the packed
// file, ctx's error. On error the data file is left as it was.
func PackFile(ctx context.Context, path string, packTid zodb.Tid, opt *PackOptions) (*PackResult, error) {
	res, err := packFile(ctx, path, packTid, opt)
	if err != nil {
		return nil, &zodb.OpError{URL: path, Op: "pack", Args: packTid, Err: err}
	}
	return res, nil
}

func packFile(ctx context.Context, path string, packTid zodb.Tid, opt *PackOptions) (*PackResult, error) {
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx, _, err := f.BuildIndex(ctx, -1, nil)
	if err != nil {
		return nil, err
	}
	r := newPackRun(f, idx.TopPos, packTid, opt)
	if idx.Len() == 0 {
		r.res.Reason = reasonEmpty
		return &r.res, nil
	}
	ok, err := r.prepare(ctx)
	if !ok || err != nil {
		return &r.res, err
	}
	if err := r.copyRest(ctx, r.gc.packPos, r.eof); err != nil {
		return nil, err
	}
	nidx, err := r.finish()
	if err != nil {
		return nil, err
	}
	if err := swapFiles(path); err != nil {
		os.Remove(path + ".pack")
		return nil, err
	}
	if err := nidx.SaveFile(path + ".index"); err != nil {
		// The index is a cache: the next open rebuilds it.
		os.Remove(path + ".index")
	}
	if r.opt.RemoveOld {
		if err := os.Remove(path + ".old"); err != nil {
			return nil, fmt.Errorf("fs1: %w", err)
		}
	}
	return &r.res, nil
}
