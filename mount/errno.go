package mount

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"syscall"

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
