package fs1

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ErrLocked says that another writer holds a FileStorage's lock file.
var ErrLocked = errors.New("locked by another process")

// FileLock is the lock a writer holds on a FileStorage, taken the way
// zc.lockfile takes it for Python's FileStorage: an exclusive, non-blocking
// flock(2) on <data file>.lock, with the holder's pid written in it as
// " <pid>\n". Python's and our writers thus exclude each other, and a
// second writer in the same process is refused too (flock locks belong to
// an open file, not to a process). The lock file is left in place when
// unlocked, as zc.lockfile leaves it.
type FileLock struct {
	f    *os.File
	path string
}

// Lock takes the lock of the FileStorage whose data file is at path.
//
// Errors: an error wrapping ErrLocked, naming the lock file and the pid
// written in it, when another writer holds it; the operating system's
// error when the lock file cannot be opened.
func Lock(path string) (*FileLock, error) {
	lpath := path + ".lock"
	// O_CREATE without O_TRUNC: zc.lockfile opens with 'r+', falling
	// back to 'a+', and must not wipe the pid of a holder.
	f, err := os.OpenFile(lpath, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("fs1: lock: %w", err)
	}
	locked, err := flockExclusive(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fs1: lock %s: %w", lpath, err)
	}
	if !locked {
		pid := holderPid(f)
		f.Close()
		return nil, fmt.Errorf("fs1: %s: %w%s", lpath, ErrLocked, pid)
	}
	if err := writePid(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("fs1: lock %s: %w", lpath, err)
	}
	return &FileLock{f: f, path: lpath}, nil
}

// writePid writes the pid as zc.lockfile's LockFile does: " %d\n" from the
// start of the file, the rest cut off.
func writePid(f *os.File) error {
	b := []byte(" " + strconv.Itoa(os.Getpid()) + "\n")
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(b)))
}

// holderPid returns " (pid N)" from what the holder wrote in the lock
// file, or "" when it holds nothing readable.
func holderPid(f *os.File) string {
	b, err := io.ReadAll(io.LimitReader(f, 64))
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if _, err := strconv.Atoi(s); err != nil {
		return ""
	}
	return " (pid " + s + ")"
}

// Path returns the path of the lock file.
func (l *FileLock) Path() string { return l.path }

// Unlock releases the lock. It may be called more than once.
func (l *FileLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Closing the file releases the flock.
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("fs1: unlock %s: %w", l.path, err)
	}
	return nil
}
