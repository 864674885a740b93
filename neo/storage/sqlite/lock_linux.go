package sqlite

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lockName is NEO/py's DatabaseManager.LOCK: the abstract socket
// "\0neostorage:<st_dev>:<st_ino>" is bound while a storage has the file.
const lockName = "neostorage"

// lockFile binds NEO/py's abstract unix socket for file, so that two
// storages, ours or NEO/py's, never use one database at once. The kernel
// drops the name when the socket closes, even if the process dies.
func lockFile(file string) (io.Closer, error) {
	st, err := os.Stat(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // no file (in-memory): nothing to share
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, nil
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: lock: %w", file, err)
	}
	// A leading '@' is the abstract namespace for syscall.Bind.
	name := fmt.Sprintf("@%s:%d:%d", lockName, uint64(sys.Dev), sys.Ino)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: name}); err != nil {
		syscall.Close(fd)
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("sqlite: %s: database is locked (in use by another storage node)", file)
		}
		return nil, fmt.Errorf("sqlite: %s: lock: %w", file, err)
	}
	return fdCloser(fd), nil
}

type fdCloser int

func (fd fdCloser) Close() error { return syscall.Close(int(fd)) }
