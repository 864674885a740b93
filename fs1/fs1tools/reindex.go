package fs1tools

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/fs1/fsindex"
)

// IndexOptions tunes Reindex and VerifyIndex.
type IndexOptions struct {
	// Warn, if not nil, is told why the scan stopped before the end of
	// the file: a torn transaction or one still being committed, which
	// Python's FileStorage does not index either.
	Warn func(err error)
	// Progress, if not nil, is called now and then with how far the scan
	// has read and the size of the file.
	Progress func(pos, size int64)
}

func (o *IndexOptions) warn(err error) {
	if o != nil && o.Warn != nil {
		o.Warn(err)
	}
}

func (o *IndexOptions) progress(pos, size int64) {
	if o != nil && o.Progress != nil {
		o.Progress(pos, size)
	}
}

// Reindex rebuilds the index of the FileStorage at path by reading the
// whole file, as Python's FileStorage does when it finds no usable index,
// and saves it to path.index in Python's format. It returns the index.
//
// A torn or unfinished last transaction is left out, as Python leaves it
// out (and told to opt.Warn). Errors: the *fs1.RecordError of a corrupt
// record before the tail, fsindex's error saving the index, ctx's error.
func Reindex(ctx context.Context, path string, opt *IndexOptions) (*fsindex.Index, error) {
	f, err := fs1.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x, err := scanIndex(ctx, f, -1, opt)
	if err != nil {
		return nil, err
	}
	if err := x.SaveFile(path + ".index"); err != nil {
		return nil, err
	}
	return x, nil
}

// scanIndex builds the index of f's transactions up to the position limit
// (all of them when limit < 0) with fs1's BuildIndex, telling opt.Warn
// what the scan stopped at before the end of the file.
func scanIndex(ctx context.Context, f *fs1.File, limit int64, opt *IndexOptions) (*fsindex.Index, error) {
	x, tail, err := f.BuildIndex(ctx, limit, opt.progress)
	if err != nil {
		return nil, err
	}
	if tail != nil {
		opt.warn(tail.Err)
	}
	return x, nil
}

// ErrIndexMismatch is what VerifyIndex's error wraps when the saved index
// and the data file disagree.
var ErrIndexMismatch = errors.New("index does not match the data file")

// VerifyIndex checks the index saved at path.index against the FileStorage
// at path: it rebuilds the index of the transactions up to the saved
// index's position by reading the file, and compares. It writes each
// difference to w, one per line:
//
//	pos: index 29740, data file 29007
//	oid 0000000000000003: index 28883, data file 29071
//	oid 0000000000000024: index 1234, not in data file
//	oid 0000000000000025: not in index, data file 1234
//
// and then returns an error wrapping ErrIndexMismatch; when they agree it
// writes "index ok: <n> objects up to pos <pos>". A saved index older than
// the file (covering fewer transactions) is fine: Python's FileStorage
// reads the rest of the file after loading it.
//
// Other errors: fsindex's for a missing or corrupt index, the
// *fs1.RecordError of a corrupt record, ctx's error.
func VerifyIndex(ctx context.Context, w io.Writer, path string, opt *IndexOptions) error {
	saved, err := fsindex.LoadFile(path + ".index")
	if err != nil {
		return err
	}
	f, err := fs1.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	built, err := scanIndex(ctx, f, saved.TopPos, opt)
	if err != nil {
		return err
	}
	n, err := writeIndexDiff(w, saved, built)
	if err != nil {
		return fmt.Errorf("fs1tools: verify-index: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("fs1tools: verify-index: %s.index: %d differences: %w", path, n, ErrIndexMismatch)
	}
	_, err = fmt.Fprintf(w, "index ok: %d objects up to pos %d\n", saved.Len(), saved.TopPos)
	if err != nil {
		return fmt.Errorf("fs1tools: verify-index: %w", err)
	}
	return nil
}
