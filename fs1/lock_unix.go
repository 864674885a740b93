//go:build unix

package fs1

import (
	"os"
	"syscall"
)

// flockExclusive tries to take an exclusive flock on f without waiting:
// false when another open file holds a lock on it.
func flockExclusive(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case syscall.EINTR:
			continue
		case syscall.EWOULDBLOCK:
			return false, nil
		}
		return false, &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
}
