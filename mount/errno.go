package mount

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"syscall"

	"github.com/zodbneo/zodbneo/mount/objgraph"
	"github.com/zodbneo/zodbneo/zodb"
)

// errNotFound is what the model returns for a name a directory does not
// have: ENOENT, not logged.
var errNotFound = syscall.ENOENT

// toErrno maps an error of the model or of the storage to what the FUSE
// operation returns, logging to log what a person should know about: the
// one place where errors become errno values.
//
//	nil                               0
//	a syscall.Errno                   itself (ENOENT for a missing name)
//	objgraph.ErrBroken                EIO, logged: a damaged object graph (a
//	                                  BTree missing a bucket wraps no-data too)
//	objgraph.ErrNotDir                ENOTDIR
//	no object, no data at the state   ENOENT: the name is not there
//	context canceled (interrupt)      EINTR
//	zodb.ErrCorrupt, anything else    EIO, logged with the error's text
func toErrno(log *slog.Logger, op string, err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		return errno
	case errors.Is(err, objgraph.ErrBroken):
		// before the no-data case: a broken tree's error may wrap the
		// storage's no-data error of the bucket it misses
	case errors.Is(err, objgraph.ErrNotDir):
		return syscall.ENOTDIR
	case zodb.IsNoData(err), errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return syscall.EINTR
	}
	if log != nil {
		log.Error("zodb mount: "+op, "err", err, "corrupt", errors.Is(err, zodb.ErrCorrupt))
	}
	return syscall.EIO
}
