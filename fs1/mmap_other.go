//go:build !unix

package fs1

import (
	"errors"
	"os"
)

// Without mmap every read uses pread.
func mmapFile(*os.File, int64) ([]byte, error) { return nil, errors.New("fs1: no mmap") }

func munmap([]byte) {}
