package tools

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/zodbneo/zodbneo/fs1" // file:// driver
	"github.com/zodbneo/zodbneo/zodb"
)

// testdata holds FileStorages written by Python ZODB and the Python tools'
// outputs on them (see its README.txt).
const testdata = "../testdata"

// copyStorage copies a FileStorage (and its index) into a fresh directory,
// so that no test can change testdata, and returns the copy's path.
func copyStorage(t testing.TB, path string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{path, path + ".index"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) && p != path {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.Base(path))
}

func openReadOnly(t *testing.T, url string) zodb.Storage {
	t.Helper()
	stor, err := zodb.Open(context.Background(), url, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stor.Close() })
	return stor
}
