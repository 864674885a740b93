package fs1

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/zodbneo/zodbneo/zodb"
)

// PackFile packs the FileStorage at path to the pack time packTid, as
// Python's FileStorage(path).pack(...) does: it opens the storage for
// writing (taking its lock, so that no other writer, ours or Python's,
// has it open, and cutting a torn tail off as Python's read-write open
// does), packs it (see FileStorage.Pack) and closes it.
//
// Unlike Python's open, it does not create a missing file.
//
// Errors are OpenWith's (an error wrapping ErrLocked when another process
// has the storage open for writing) and Pack's; one wrapping
// os.ErrNotExist for a missing file.
func PackFile(ctx context.Context, path string, packTid zodb.Tid, opt *PackOptions) (res *PackResult, err error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("fs1: pack: %w", err)
	}
	o := &Options{}
	if opt != nil {
		o.Logger = opt.Logger
	}
	fs, err := OpenWith(ctx, path, o)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := fs.Close(); cerr != nil {
			res, err = nil, errors.Join(err, cerr)
		}
	}()
	return fs.Pack(ctx, packTid, opt)
}
