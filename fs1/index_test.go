package fs1

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// rebuild indexes the whole file f.
func rebuild(t testing.TB, f *File) *fsindex.Index {
	t.Helper()
	idx := fsindex.New()
	s, err := f.scan(ctx, idx, scanState{pos: FileHeaderLen}, nil)
	if err != nil {
		t.Fatal(err)
	}
	idx.TopPos = s.pos
	return idx
}

// TestIndexLoadedEqualsRebuilt compares the index Python saved with the
// one a scan builds, and checks the saved one passes the sanity check
// (except where Python ignores it: a position under 100).
func TestIndexLoadedEqualsRebuilt(t *testing.T) {
	for _, tf := range testFiles(t) {
		if tf.index == "" {
			continue
		}
		t.Run(tf.path, func(t *testing.T) {
			f, err := OpenFile(tf.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			saved, err := fsindex.LoadFile(tf.index)
			if err != nil {
				t.Skipf("index does not load (Python 3 cannot load some py2 ones either): %v", err)
			}
			if !saved.Equal(rebuild(t, f)) {
				t.Errorf("saved index differs from the rebuilt one")
			}
			_, sane := f.checkIndex(saved)
			if want := saved.TopPos >= minIndexPos; sane != want {
				t.Errorf("index sanity %v, want %v (pos %d)", sane, want, saved.TopPos)
			}
		})
	}
}

// TestIndexSaved opens copies of the files without their index: read-only
// saves nothing; read-write saves the index Python saves, byte for byte,
// and leaves the data file as it was.
func TestIndexSaved(t *testing.T) {
	for _, tf := range testFiles(t) {
		if tf.index == "" || filepath.Base(tf.path) == "data.fs" {
			continue // zodbtools' py2 indexes are Python 2's pickles
		}
		t.Run(tf.path, func(t *testing.T) {
			dir := t.TempDir()
			p := copyFile(t, tf.path, dir, "data.fs")
			openClose(t, p, true)
			if _, err := os.Stat(p + ".index"); !os.IsNotExist(err) {
				t.Fatalf("read-only open wrote an index (%v)", err)
			}
			openClose(t, p, false)
			got, err := os.ReadFile(p + ".index")
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(tf.index)
			if !bytes.Equal(got, want) {
				t.Errorf("saved index differs from Python's %s", tf.index)
			}
			checkSameFile(t, p, tf.path)
		})
	}
}

func openClose(t *testing.T, path string, readOnly bool) *FileStorage {
	t.Helper()
	fs, err := Open(ctx, path, &zodb.Options{ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}
	return fs
}

func checkSameFile(t *testing.T, path, orig string) {
	t.Helper()
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(orig)
	if !bytes.Equal(a, b) {
		t.Errorf("%s was modified", path)
	}
}

// TestIndexBehind opens a file with an index saved when the file was
// shorter: the index is used and completed by a scan.
func TestIndexBehind(t *testing.T) {
	const small = "../testdata/fs1/small/small.fs"
	dir := t.TempDir()
	full, _ := os.ReadFile(small)
	f0 := openFile(t, small)
	defer f0.Close()
	h, err := f0.ReadTxnHeaderBefore(int64(len(full)))
	if err != nil {
		t.Fatal(err)
	}
	h, _ = f0.ReadTxnHeaderBefore(h.Pos) // two transactions before the end
	p := filepath.Join(dir, "data.fs")
	os.WriteFile(p, full[:h.Pos], 0o644)
	openClose(t, p, false) // saves an index at h.Pos
	os.WriteFile(p, full, 0o644)

	f := openFile(t, p)
	defer f.Close()
	idx, last := f.loadIndex(p + ".index")
	if idx == nil || idx.TopPos != h.Pos || last == 0 {
		t.Fatalf("index behind the file not used: %v pos %v last %s", idx != nil, h.Pos, last)
	}
	fs := openRO(t, p)
	defer fs.Close()
	if !fs.mu.index.Equal(rebuild(t, f0)) {
		t.Error("completed index differs from the rebuilt one")
	}
	checkSameHeadSize(t, fs, "03f5946af81d3dee", 29740)
}

func openFile(t testing.TB, path string) *File {
	t.Helper()
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func checkSameHeadSize(t *testing.T, fs *FileStorage, head string, size int64) {
	t.Helper()
	if fs.Head().String() != head || fs.Size() != size {
		t.Errorf("head %s size %d, want %s %d", fs.Head(), fs.Size(), head, size)
	}
}

// TestIndexIgnored gives files indexes Python would not trust: the
// storage must rebuild and answer right.
func TestIndexIgnored(t *testing.T) {
	const small = "../testdata/fs1/small/small.fs"
	cases := []struct {
		name  string
		index []byte
	}{
		{"other file's", mustRead(t, "../testdata/fs1/packed/packed.fs.index")},
		{"position under 100", mustRead(t, "../testdata/fs1/empty/empty.fs.index")},
		{"garbage", []byte("not a pickle at all")},
		{"empty", nil},
		{"torn", mustRead(t, small+".index")[:40]},
	}
	f0 := openFile(t, small)
	defer f0.Close()
	want := rebuild(t, f0)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := copyFile(t, small, dir, "data.fs")
			os.WriteFile(p+".index", c.index, 0o644)
			f := openFile(t, p)
			if idx, _ := f.loadIndex(p + ".index"); idx != nil {
				t.Error("index trusted")
			}
			f.Close()
			fs := openRO(t, p)
			defer fs.Close()
			if !fs.mu.index.Equal(want) {
				t.Error("index differs from the rebuilt one")
			}
			if got, _ := os.ReadFile(p + ".index"); !bytes.Equal(got, c.index) {
				t.Error("read-only open rewrote the index")
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
