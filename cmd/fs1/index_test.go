package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// indexedFiles returns every FileStorage in testdata with the index Python
// saved for it.
func indexedFiles(t *testing.T) []string {
	a, _ := filepath.Glob(testdata + "/fs1/*/*.fs")
	b, _ := filepath.Glob(testdata + "/zodbtools/*/*/data.fs")
	var fs []string
	for _, f := range append(a, b...) {
		if _, err := os.Stat(f + ".index"); err == nil {
			fs = append(fs, f)
		}
	}
	if len(fs) < 12 {
		t.Fatalf("only %d indexed FileStorages in testdata", len(fs))
	}
	return fs
}

// TestReindex rebuilds the index of every testdata FileStorage and
// compares it with the one Python saved: byte for byte where Python 3 wrote
// it, by content where Python 2 did (its pickles hold str where Python 3's
// hold bytes; see fs1/fsindex's TestRoundTrip).
func TestReindex(t *testing.T) {
	for _, fs := range indexedFiles(t) {
		golden := fs + ".index"
		cp := copyToTemp(t, fs)
		status, out, errOut := fs1(t, "reindex", cp)
		if status != 0 || out != "" || errOut != "" {
			t.Errorf("reindex %s: status %d stdout %q stderr %q", fs, status, out, errOut)
			continue
		}
		have := readFile(t, cp+".index")
		if !strings.Contains(fs, "/py2_") {
			if have != readFile(t, golden) {
				t.Errorf("reindex %s: index differs from Python's", fs)
			}
			continue
		}
		x, err1 := fsindex.LoadFile(cp + ".index")
		y, err2 := fsindex.LoadFile(golden)
		if err1 != nil || err2 != nil || !x.Equal(y) {
			t.Errorf("reindex %s: index differs from Python's (%v, %v)", fs, err1, err2)
		}
	}
}

// TestReindexTorn: a torn or unfinished last transaction is left out, with
// a warning, as Python's FileStorage (read-only) leaves it out: it reports
// getSize() 29007 and 36 objects for truncated.fs and truncated-hdr.fs,
// 29740 and 36 for checkpoint.fs (testdata/fs1/truncated/python-behaviour.txt).
func TestReindexTorn(t *testing.T) {
	for name, pos := range map[string]int64{"truncated.fs": 29007, "truncated-hdr.fs": 29007, "checkpoint.fs": 29740} {
		cp := copyToTemp(t, testdata+"/fs1/truncated/"+name)
		status, out, errOut := fs1(t, "reindex", cp)
		if status != 0 || out != "" {
			t.Errorf("%s: status %d stdout %q stderr %q", name, status, out, errOut)
		}
		oneLine(t, name, errOut, "fs1: warning: "+cp+": record @"+strconv.FormatInt(pos, 10)+": ")
		x, err := fsindex.LoadFile(cp + ".index")
		if err != nil || x.TopPos != pos || x.Len() != 36 {
			t.Errorf("%s: index %v: pos %d, %d objects", name, err, x.TopPos, x.Len())
		}
		// And the small.fs index, made by Python on the intact file, is
		// the checkpoint file's.
		if name == "checkpoint.fs" && readFile(t, cp+".index") != readFile(t, testdata+"/fs1/small/small.fs.index") {
			t.Errorf("checkpoint.fs: index differs from small.fs's")
		}
	}
}

func TestVerifyIndexOK(t *testing.T) {
	for _, fs := range indexedFiles(t) {
		x, err := fsindex.LoadFile(fs + ".index")
		if err != nil {
			t.Fatal(err)
		}
		want := "index ok: " + strconv.Itoa(x.Len()) + " objects up to pos " + strconv.FormatInt(x.TopPos, 10) + "\n"
		status, out, errOut := fs1(t, "verify-index", fs)
		if status != 0 || out != want || errOut != "" {
			t.Errorf("verify-index %s: status %d stdout %q stderr %q", fs, status, out, errOut)
		}
	}
	// An index older than the file is fine: small.fs.index covers what
	// checkpoint.fs has committed.
	cp := copyToTemp(t, testdata+"/fs1/truncated/checkpoint.fs")
	writeFile(t, cp+".index", readFile(t, testdata+"/fs1/small/small.fs.index"))
	if status, out, errOut := fs1(t, "verify-index", cp); status != 0 || out != "index ok: 36 objects up to pos 29740\n" {
		t.Errorf("checkpoint.fs: status %d stdout %q stderr %q", status, out, errOut)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyIndexMismatch(t *testing.T) {
	fs := testdata + "/fs1/small/small.fs"
	x, err := fsindex.LoadFile(fs + ".index")
	if err != nil {
		t.Fatal(err)
	}
	// A wrong position, an oid the file does not have, and one missing.
	bad := fsindex.New()
	bad.TopPos = x.TopPos
	x.Each(func(oid zodb.Oid, pos int64) bool {
		switch oid {
		case 3:
			bad.Set(oid, pos+1)
		case 0x23:
		default:
			bad.Set(oid, pos)
		}
		return true
	})
	bad.Set(0x99, 1234)
	cp := copyToTemp(t, fs)
	if err := bad.SaveFile(cp + ".index"); err != nil {
		t.Fatal(err)
	}
	p3, _ := x.Get(3)
	p23, _ := x.Get(0x23)
	want := "oid 0000000000000003: index " + strconv.FormatInt(p3+1, 10) + ", data file " + strconv.FormatInt(p3, 10) + "\n" +
		"oid 0000000000000023: not in index, data file " + strconv.FormatInt(p23, 10) + "\n" +
		"oid 0000000000000099: index 1234, not in data file\n"
	status, out, errOut := fs1(t, "verify-index", cp)
	if status != 1 || out != want {
		t.Errorf("status %d, stdout:\n%s\nwant:\n%s", status, out, want)
	}
	oneLine(t, "mismatch", errOut, "fs1: verify-index: "+cp+".index: 3 differences: index does not match the data file")

	// An index claiming more of the file than there is.
	bad = fsindex.New()
	bad.TopPos = 29741
	x.Each(func(oid zodb.Oid, pos int64) bool { bad.Set(oid, pos); return true })
	bad.SaveFile(cp + ".index")
	status, out, errOut = fs1(t, "verify-index", cp)
	if status != 1 || out != "pos: index 29741, data file 29740\n" {
		t.Errorf("pos: status %d stdout %q", status, out)
	}
	oneLine(t, "pos", errOut, "1 differences")
}

func TestDumpFsi(t *testing.T) {
	for _, fs := range indexedFiles(t) {
		x, err := fsindex.LoadFile(fs + ".index")
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		want.WriteString("pos " + strconv.FormatInt(x.TopPos, 10) + "\n")
		x.Each(func(oid zodb.Oid, pos int64) bool {
			want.WriteString(oid.String() + " " + strconv.FormatInt(pos, 10) + "\n")
			return true
		})
		status, out, errOut := fs1(t, "dump-fsi", fs+".index")
		if status != 0 || out != want.String() || errOut != "" {
			t.Errorf("dump-fsi %s: status %d stderr %q stdout differs:\n%s", fs, status, errOut, diff(want.String(), out))
		}
	}
	// small.fs.index as pickletools shows it: pos 29740, 36 oids 0..0x23,
	// oid 0 at 0x620a.
	_, out, _ := fs1(t, "dump-fsi", testdata+"/fs1/small/small.fs.index")
	if !strings.HasPrefix(out, "pos 29740\n0000000000000000 25098\n") || strings.Count(out, "\n") != 37 ||
		!strings.HasSuffix(out, "0000000000000023 28332\n") {
		t.Errorf("dump-fsi small.fs.index:\n%s", out)
	}
}
