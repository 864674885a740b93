//go:build !linux

package sqlite

import "io"

// lockFile is a no-op where abstract unix sockets (NEO/py's lock) do not
// exist.
func lockFile(file string) (io.Closer, error) { return nil, nil }
