package fs1tools

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/fs1/fsindex"
)

// FuzzTools runs every tool on arbitrary files: they must return, with
// output or an error, and never panic or hang. The index is rebuilt and
// checked in memory: Reindex's fsync per run would make the fuzzer crawl.
func FuzzTools(f *testing.F) {
	seeds, _ := filepath.Glob(testdata + "/fs1/*/*.fs")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 12000 {
			b = b[:12000] // keep the corpus small: a cut is a torn tail
		}
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "data.fs")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		Dump(io.Discard, path, &DumpOptions{Warn: func(error) {}})
		DumpVerbose(io.Discard, path)
		Tail(io.Discard, path, 10)
		checkIndexRoundTrip(t, path)
	})
}

// checkIndexRoundTrip rebuilds the file's index, saves and reloads it, and
// checks that verify-index finds it right.
func checkIndexRoundTrip(t *testing.T, path string) {
	ctx := context.Background()
	f, err := fs1.OpenFile(path)
	if err != nil {
		return
	}
	defer f.Close()
	x, err := scanIndex(ctx, f, -1, nil)
	if err != nil {
		return
	}
	var buf bytes.Buffer
	if err := x.Save(&buf); err != nil {
		t.Fatalf("save: %v", err)
	}
	y, err := fsindex.Load(&buf)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	built, err := scanIndex(ctx, f, y.TopPos, nil)
	if err != nil {
		t.Fatalf("rescan: %v", err)
	}
	if n, _ := writeIndexDiff(io.Discard, y, built); n != 0 {
		t.Fatalf("verify after reindex: %d differences", n)
	}
	if err := WriteIndex(io.Discard, y); err != nil {
		t.Fatal(err)
	}
}
