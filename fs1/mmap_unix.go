//go:build unix

package fs1

import (
	"errors"
	"math"
	"os"
	"syscall"
)

func mmapFile(f *os.File, length int64) ([]byte, error) {
	if length > math.MaxInt {
		return nil, errors.New("fs1: file too big to map")
	}
	return syscall.Mmap(int(f.Fd()), 0, int(length), syscall.PROT_READ, syscall.MAP_SHARED)
}

func munmap(b []byte) { syscall.Munmap(b) }
