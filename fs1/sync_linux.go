package fs1

import (
	"os"
	"syscall"
)

// datasync waits until f's data, and the size needed to read them back,
// are on disk: fdatasync skips the timestamps fsync also writes.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}
