//go:build !unix

package fs1

import (
	"errors"
	"os"
)

// flockExclusive is not implemented here: zc.lockfile locks a byte with
// msvcrt on Windows, which this package does not do yet.
func flockExclusive(f *os.File) (bool, error) {
	return false, errors.New("file locking is not supported on this system")
}
