package tools

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/pickledis"
)

// Golden tests: our output on every FileStorage of testdata diffed byte for
// byte with what the Python tools printed on it.

// goldenFS is one FileStorage with golden outputs next to it.
type goldenFS struct {
	path   string                   // of the .fs in testdata
	rel    string                   // path relative to testdata, for messages
	golden func(kind string) string // path of the golden of a kind ("zdump.raw", ...)
}

// goldenStorages lists testdata/fs1/*/*.fs and testdata/zodbtools/*/*/data.fs.
func goldenStorages(t *testing.T) []goldenFS {
	t.Helper()
	// absolute, as some tests change directory
	root, err := filepath.Abs(testdata)
	if err != nil {
		t.Fatal(err)
	}
	var all []goldenFS
	fs1s, _ := filepath.Glob(filepath.Join(root, "fs1", "*", "*.fs"))
	for _, p := range fs1s {
		base := strings.TrimSuffix(p, ".fs")
		all = append(all, goldenFS{path: p, golden: func(kind string) string { return base + "." + kind }})
	}
	zts, _ := filepath.Glob(filepath.Join(root, "zodbtools", "*", "*", "data.fs"))
	for _, p := range zts {
		dir := filepath.Dir(p)
		all = append(all, goldenFS{path: p,
			golden: func(kind string) string { return filepath.Join(dir, kind+".ok") }})
	}
	for i := range all {
		all[i].rel, _ = filepath.Rel(root, all[i].path)
	}
	if len(fs1s) < 7 || len(zts) < 8 {
		t.Fatalf("testdata: found %d fs1 and %d zodbtools storages", len(fs1s), len(zts))
	}
	return all
}

func (g goldenFS) name() string { return g.rel }

// readGolden returns a golden output, and whether the Python tool failed
// on the storage: its output is then cut before the exception line it
// left last.
func readGolden(t *testing.T, path string) (want string, pyFailed bool, ok bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", false, false
	}
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if i := strings.LastIndex(s, "!!! EXCEPTION: "); i >= 0 && (i == 0 || s[i-1] == '\n') {
		return s[:i], true, true
	}
	return s, false, true
}

// checkGolden compares output and error with a golden.
func checkGolden(t *testing.T, what, goldenPath string, out []byte, err error) {
	t.Helper()
	want, pyFailed, ok := readGolden(t, goldenPath)
	if !ok {
		t.Fatalf("%s: no golden %s", what, goldenPath)
	}
	want = normalizeGolden(goldenPath, want)
	switch {
	case pyFailed && err == nil:
		t.Errorf("%s: no error where the Python tool failed", what)
	case !pyFailed && err != nil:
		t.Errorf("%s: %v", what, err)
	}
	if string(out) != want {
		t.Errorf("%s: output differs from %s\n%s", what, goldenPath, firstDiff(string(out), want))
	}
}

// normalizeGolden brings a zpickledis golden of a Python 2 file to Python
// 3's rendering of strings, as zodbtools' test_dump does.
func normalizeGolden(path, s string) string {
	if strings.Contains(path, "zpickledis") && strings.Contains(path, "/py2_") {
		return string(pickledis.NormalizePy2([]byte(s)))
	}
	return s
}

// firstDiff shows where two outputs part.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := strings.LastIndexByte(want[:i], '\n') + 1
	clip := func(s string) string {
		if len(s) > lo+300 {
			s = s[:lo+300] + "…"
		}
		return s[lo:]
	}
	return "at byte " + strconv.Itoa(i) + ":\n--- got\n" + clip(got) + "\n--- want\n" + clip(want)
}

func TestDumpGolden(t *testing.T) {
	ctx := context.Background()
	for _, g := range goldenStorages(t) {
		stor := openReadOnly(t, copyStorage(t, g.path))
		for _, v := range []struct {
			kind string
			opt  DumpOptions
		}{
			{"zdump.raw", DumpOptions{}},
			{"zdump.hashonly", DumpOptions{HashOnly: true}},
			{"zdump.zpickledis", DumpOptions{Pretty: PrettyZPickleDis}},
		} {
			gp := g.golden(v.kind)
			if _, err := os.Stat(gp); os.IsNotExist(err) {
				continue // zodbtools' own data has no hashonly golden
			}
			var out bytes.Buffer
			err := Dump(ctx, &out, stor, 0, zodb.TidMax, &v.opt)
			checkGolden(t, g.name()+" "+v.kind, gp, out.Bytes(), err)
		}
	}
}

// TestDumpRangeGolden checks the ranged dumps of small.fs, named
// small.zdump.<kind>@<tidrange>.
func TestDumpRangeGolden(t *testing.T) {
	ctx := context.Background()
	goldens, _ := filepath.Glob(filepath.Join(testdata, "fs1", "small", "small.zdump.*@*"))
	if len(goldens) < 8 {
		t.Fatalf("found %d ranged goldens", len(goldens))
	}
	stor := openReadOnly(t, copyStorage(t, filepath.Join(testdata, "fs1", "small", "small.fs")))
	for _, gp := range goldens {
		kind, tidRange, _ := strings.Cut(strings.TrimPrefix(filepath.Base(gp), "small.zdump."), "@")
		tidMin, tidMax, err := zodb.ParseTidRange(tidRange, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = Dump(ctx, &out, stor, tidMin, tidMax, &DumpOptions{HashOnly: kind == "hashonly"})
		checkGolden(t, filepath.Base(gp), gp, out.Bytes(), err)
	}
}

func TestInfoGolden(t *testing.T) {
	for _, g := range goldenStorages(t) {
		gp := g.golden("zinfo")
		if _, err := os.Stat(gp); os.IsNotExist(err) {
			continue
		}
		// zodbtools ran in the file's directory: name= is the bare name
		copied := copyStorage(t, g.path)
		t.Chdir(filepath.Dir(copied))
		stor := openReadOnly(t, filepath.Base(copied))
		var out, warn bytes.Buffer
		err := Info(&out, stor, nil, &warn)
		checkGolden(t, g.name()+" info", gp, out.Bytes(), err)
		if want := "W: last_tid is deprecated alias for head\n"; warn.String() != want {
			t.Errorf("%s info: warned %q, want %q", g.name(), warn.String(), want)
		}
	}
}

func TestAnalyzeGolden(t *testing.T) {
	ctx := context.Background()
	for _, g := range goldenStorages(t) {
		stor := openReadOnly(t, copyStorage(t, g.path))
		for _, kind := range []string{"zanalyze.csv", "zanalyze.txt"} {
			gp := g.golden(kind)
			if _, err := os.Stat(gp); os.IsNotExist(err) {
				continue
			}
			var warned []error
			var out bytes.Buffer
			rep, err := Analyze(ctx, stor, 0, zodb.TidMax, &AnalyzeOptions{Warn: func(err error) { warned = append(warned, err) }})
			if err == nil {
				write := rep.WriteText
				if kind == "zanalyze.csv" {
					write = rep.WriteCSV
				}
				if werr := write(&out); werr != nil {
					t.Fatal(werr)
				}
			}
			checkGolden(t, g.name()+" "+kind, gp, out.Bytes(), err)
			if len(warned) != 0 {
				t.Errorf("%s %s: warned %v", g.name(), kind, warned)
			}
		}
	}
}
