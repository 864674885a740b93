package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

const testdata = "../../testdata"

// fs1 runs the command tree on args as the binary would and returns its
// exit status, stdout and stderr.
func fs1(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	return cli.Capture(newRootCommand(), args)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyToTemp copies files into a fresh directory and returns the copy of
// the first, so that no test writes into testdata.
func copyToTemp(t *testing.T, paths ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range paths {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), []byte(readFile(t, p)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.Base(paths[0]))
}

// oneLine checks that stderr is one line starting with "fs1: " and holding
// each of want.
func oneLine(t *testing.T, what, stderr string, want ...string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "fs1: ") || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("%s: stderr is not one fs1: line: %q", what, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%s: stderr %q does not say %q", what, stderr, w)
		}
	}
}

// exceptionLine is how the golden files record that the Python tool failed.
const exceptionLine = "!!! EXCEPTION: "

// tornCases says what stderr must say where a Python tool failed on a torn
// file, or warned and stopped (status 0). Keys are golden file names.
var tornCases = map[string]struct {
	status int
	stderr string // exact, after "fs1: " and the file path
}{
	// fsdump stops at a transaction that runs past the end of the file,
	// logging a warning; at a header cut short it fails.
	"truncated.fsdump":     {0, "warning: %s: record @29007: transaction of length 725 runs past the end of the file (size 29373): unexpected EOF"},
	"truncated-hdr.fsdump": {1, "%s: record @29007: transaction header cut after 10 of 23 bytes: unexpected EOF"},
	// fsdump stops quietly at a checkpoint transaction; we say so.
	"checkpoint.fsdump": {0, "warning: %s: record @29740: transaction still being committed (status 'c')"},
	// Dumper fails on the first record it cannot read whole.
	"truncated.fsdumpv":     {1, "%s: record @29189: data cut after 142 of 501 bytes: unexpected EOF"},
	"truncated-hdr.fsdumpv": {1, "%s: record @29007: transaction header cut after 10 of 23 bytes: unexpected EOF"},
	// fstail reads the last 8 bytes as a transaction length and fails
	// before printing anything; we find and name the torn record.
	"truncated.fstail":     {1, "%s: record @29007: transaction of length 725 runs past the end of the file (size 29373): unexpected EOF"},
	"truncated-hdr.fstail": {1, "%s: record @29007: transaction header cut after 10 of 23 bytes: unexpected EOF"},
}

// TestGolden runs dump, dump --verbose and tail on every FileStorage of
// testdata/fs1 and diffs their output against what the Python tools
// printed.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(testdata + "/fs1/*/*.fs")
	if err != nil || len(files) < 6 {
		t.Fatalf("testdata: %v %d files", err, len(files))
	}
	cmds := map[string][]string{
		"fsdump":  {"dump"},
		"fsdumpv": {"dump", "--verbose"},
		"fstail":  {"tail"},
	}
	for _, fs := range files {
		for ext, args := range cmds {
			golden := strings.TrimSuffix(fs, ".fs") + "." + ext
			name := filepath.Base(golden)
			t.Run(name, func(t *testing.T) {
				want := readFile(t, golden)
				status, out, errOut := fs1(t, append(args, fs)...)
				torn, isTorn := tornCases[name]
				i := strings.Index(want, exceptionLine)
				switch {
				case name == "empty.fstail":
					// Python's fstail seeks before the start of a
					// file with no transaction and fails; there is
					// nothing to print and nothing wrong.
					want, torn = "", tornCases[""]
				case i >= 0:
					want = want[:i]
					if !isTorn {
						t.Fatalf("no tornCases entry for %s", name)
					}
				}
				if out != want {
					t.Errorf("stdout differs from %s:\n%s", golden, diff(want, out))
				}
				if status != torn.status {
					t.Errorf("status %d, want %d (stderr %q)", status, torn.status, errOut)
				}
				wantErr := ""
				if torn.stderr != "" {
					wantErr = "fs1: " + strings.Replace(torn.stderr, "%s", fs, 1) + "\n"
				}
				if errOut != wantErr {
					t.Errorf("stderr %q, want %q", errOut, wantErr)
				}
			})
		}
	}
}

// diff shows the first line where have departs from want.
func diff(want, have string) string {
	wl, hl := strings.SplitAfter(want, "\n"), strings.SplitAfter(have, "\n")
	for i := 0; i < len(wl) || i < len(hl); i++ {
		var w, h string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(hl) {
			h = hl[i]
		}
		if w != h {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + strings.TrimSuffix(w, "\n") + "\nhave " + strings.TrimSuffix(h, "\n")
		}
	}
	return ""
}

// TestTailN checks -n against the first entries of the 10 fstail printed.
func TestTailN(t *testing.T) {
	fs := testdata + "/fs1/small/small.fs"
	entries := strings.SplitAfter(readFile(t, testdata+"/fs1/small/small.fstail"), "\n\n")
	for _, n := range []int{0, 1, 3, 10} {
		status, out, errOut := fs1(t, "tail", "-n", strconv.Itoa(n), fs)
		if want := strings.Join(entries[:n], ""); status != 0 || out != want || errOut != "" {
			t.Errorf("tail -n %d: status %d stderr %q, stdout differs:\n%s", n, status, errOut, diff(want, out))
		}
	}
	// More than there are: all 20 transactions, the first the oldest.
	_, out, _ := fs1(t, "tail", "-n", "100", fs)
	if got := strings.Count(out, "\n\n"); got != 20 || !strings.HasSuffix(out, "offset=4 (+48)\n\n") {
		t.Errorf("tail -n 100: %d entries, ends %q", got, out[max(0, len(out)-40):])
	}
}

// TestZodbtoolsFiles runs the tools on zodbtools' test databases, which
// have no fsdump goldens. The py2 ones have the magic FS21, which Python 3's
// fsdump refuses (FileStorageFormatError) though the records are the same;
// ours reads them.
func TestZodbtoolsFiles(t *testing.T) {
	files, _ := filepath.Glob(testdata + "/zodbtools/*/*/data.fs")
	if len(files) != 8 {
		t.Fatalf("%d zodbtools databases", len(files))
	}
	for _, fs := range files {
		for _, args := range [][]string{{"dump"}, {"dump", "-v"}, {"tail"}} {
			status, out, errOut := fs1(t, append(args, fs)...)
			if status != 0 || errOut != "" || !strings.Contains(out, "description") {
				t.Errorf("fs1 %s %s: status %d stderr %q", strings.Join(args, " "), fs, status, errOut)
			}
		}
		// Every transaction of the dump is in the verbose dump.
		_, out, _ := fs1(t, "dump", fs)
		_, outv, _ := fs1(t, "dump", "-v", fs)
		if n, nv := strings.Count(out, "Trans #"), strings.Count(outv, "transaction id: "); n == 0 || n != nv {
			t.Errorf("%s: %d transactions dumped, %d in the verbose dump", fs, n, nv)
		}
	}
}
