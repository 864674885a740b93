//go:build !linux

package fs1

import "os"

// datasync waits until f's data are on disk.
func datasync(f *os.File) error { return f.Sync() }
