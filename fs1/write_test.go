package fs1

import (
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/storagetest"
)

// TestWriteSuite runs the driver write suite on new FileStorages, with
// Python's durability.
func TestWriteSuite(t *testing.T) {
	storagetest.RunWriteSuite(t, func(t *testing.T) zodb.Writer {
		fs, err := OpenWith(ctx, filepath.Join(t.TempDir(), "data.fs"), &Options{})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	})
}
