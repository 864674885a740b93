package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

const testdata = "../../testdata"

// runZodb runs the command tree on args as the binary would and returns its
// exit status, stdout and stderr.
func runZodb(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	return cli.Capture(newRootCommand(), args)
}

// copyFS copies a testdata FileStorage into a fresh directory, so that no
// test can change testdata, and returns the copy's path.
func copyFS(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, rel))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTestdata(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantOK checks a successful run with the expected stdout.
func wantOK(t *testing.T, args []string, wantOut string) {
	t.Helper()
	status, out, errOut := runZodb(t, args...)
	if status != 0 || out != wantOut {
		t.Errorf("zodb %q: status %d, stderr %q, stdout differs: %v", args, status, errOut, out != wantOut)
	}
}

// wantFail checks a failed run: the status, one line on stderr holding
// every one of wantErr, and stdout.
func wantFail(t *testing.T, args []string, wantStatus int, wantOut string, wantErr ...string) {
	t.Helper()
	status, out, errOut := runZodb(t, args...)
	if status != wantStatus {
		t.Errorf("zodb %q: status %d, want %d (stderr %q)", args, status, wantStatus, errOut)
	}
	if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "zodb: ") {
		t.Errorf("zodb %q: stderr is not one line: %q", args, errOut)
	}
	for _, w := range wantErr {
		if !strings.Contains(errOut, w) {
			t.Errorf("zodb %q: stderr %q lacks %q", args, errOut, w)
		}
	}
	if out != wantOut {
		t.Errorf("zodb %q: stdout %q, want %q", args, out, wantOut)
	}
}

func TestHelp(t *testing.T) {
	status, out, errOut := runZodb(t, "help")
	if status != 0 || errOut != "" {
		t.Fatalf("zodb help: status %d, stderr %q", status, errOut)
	}
	for _, want := range []string{"Zodb is a tool for managing ZODB databases.", "zodb command [arguments]",
		"    dump        dump content of a ZODB database\n", "    info        ", "    catobj      ",
		"    analyze     ", "    restore     restore content of a ZODB database\n", "    commit      ", "    convert     ",
		"    cmp         compare two ZODB databases\n", "Additional help topics:", "    zurl        specifying database URL\n",
		"    tidrange    specifying history range\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("zodb help lacks %q:\n%s", want, out)
		}
	}
	if _, hOut, _ := runZodb(t, "-h"); hOut != out {
		t.Errorf("zodb -h differs from zodb help:\n%s", hOut)
	}
	for _, c := range []string{"dump", "info", "catobj", "analyze", "restore", "commit", "convert", "cmp"} {
		for _, args := range [][]string{{c, "--help"}, {"help", c}} {
			status, out, _ := runZodb(t, args...)
			if status != 0 || !strings.Contains(out, "Examples:\n  zodb "+c) || !strings.Contains(out, "Usage:\n  zodb "+c) {
				t.Errorf("zodb %q: status %d, no usage or example:\n%s", args, status, out)
			}
		}
	}
	for _, topic := range []string{"zurl", "tidrange", "xid"} {
		status, out, _ := runZodb(t, "help", topic)
		if status != 0 || len(out) < 100 {
			t.Errorf("zodb help %s: status %d:\n%s", topic, status, out)
		}
	}
	wantFail(t, nil, 2, "", "no command")
	wantFail(t, []string{"frobnicate"}, 2, "", "unknown command")
}

func TestDump(t *testing.T) {
	small := copyFS(t, "fs1/small/small.fs")
	wantOK(t, []string{"dump", small}, readTestdata(t, "fs1/small/small.zdump.raw"))
	wantOK(t, []string{"dump", "--hashonly", "file://" + small}, readTestdata(t, "fs1/small/small.zdump.hashonly"))
	wantOK(t, []string{"dump", "--pretty=zpickledis", small}, readTestdata(t, "fs1/small/small.zdump.zpickledis"))
	wantOK(t, []string{"dump", "--pretty", "raw", small, "03f5945df50e3734..03f594632032dca9"},
		readTestdata(t, "fs1/small/small.zdump.raw@03f5945df50e3734..03f594632032dca9"))
	wantOK(t, []string{"dump", "--hashonly", small, "03f5946a8ce77e77.."},
		readTestdata(t, "fs1/small/small.zdump.hashonly@03f5946a8ce77e77.."))

	wantFail(t, []string{"dump", small, "03f5946a8ce77e77"}, 2, "", "invalid tid range")
	wantFail(t, []string{"dump", small, "nonsense..yesterday"}, 2, "", "invalid tid range")
	wantFail(t, []string{"dump", "--pretty=json", small}, 2, "", "json")
	wantFail(t, []string{"dump", "--bogus", small}, 2, "", "unknown flag")
	wantFail(t, []string{"dump"}, 2, "")
	wantFail(t, []string{"dump", small, "..", "extra"}, 2, "")
	wantFail(t, []string{"dump", filepath.Join(t.TempDir(), "missing.fs")}, 1, "", "missing.fs")
	wantFail(t, []string{"dump", "foo://bar"}, 1, "", `unknown storage scheme "foo"`)
}

// TestDumpTorn: where zodbtools failed on a torn file, we print what is
// intact, say what is torn and where, and fail; elsewhere we match it.
func TestDumpTorn(t *testing.T) {
	for _, tt := range []struct{ name, tornAt string }{
		{"truncated", "@29007"}, {"truncated-hdr", "@29007"}, {"checkpoint", "@29740"},
	} {
		name := tt.name
		fs := copyFS(t, "fs1/truncated/"+name+".fs")
		for _, kind := range []string{"raw", "hashonly"} {
			golden := readTestdata(t, "fs1/truncated/"+name+".zdump."+kind)
			args := []string{"dump", fs}
			if kind == "hashonly" {
				args = []string{"dump", "--hashonly", fs}
			}
			intact, _, pyFailed := strings.Cut(golden, "!!! EXCEPTION: ")
			if pyFailed {
				wantFail(t, args, 1, intact, tt.tornAt)
				continue
			}
			// zodbtools succeeded and logged a warning: so do we
			status, out, errOut := runZodb(t, args...)
			if status != 0 || out != golden {
				t.Errorf("zodb %q: status %d, stderr %q, stdout differs: %v", args, status, errOut, out != golden)
			}
			if !strings.HasPrefix(errOut, "zodb: warning: ") || strings.Count(errOut, "\n") != 1 ||
				!strings.Contains(errOut, tt.tornAt) {
				t.Errorf("zodb %q: warned %q, want one line about %s", args, errOut, tt.tornAt)
			}
		}
	}
}

func TestInfo(t *testing.T) {
	small := copyFS(t, "fs1/small/small.fs")
	want := readTestdata(t, "fs1/small/small.zinfo")
	// zodbtools ran in the file's directory: name= is the bare name
	t.Chdir(filepath.Dir(small))
	status, out, errOut := runZodb(t, "info", "small.fs")
	if status != 0 || out != want {
		t.Errorf("zodb info: status %d, stdout %q, want %q", status, out, want)
	}
	if errOut != "W: last_tid is deprecated alias for head\n" {
		t.Errorf("zodb info: stderr %q", errOut)
	}
	wantOK(t, []string{"info", "small.fs", "head", "size"}, "03f5946af81d3dee\n29740\n")
	wantFail(t, []string{"info", "small.fs", "head", "colour"}, 1, "", `invalid parameter "colour"`)
	wantFail(t, []string{"info"}, 2, "")
	wantFail(t, []string{"info", "missing.fs"}, 1, "", "missing.fs")
}

func TestCatobj(t *testing.T) {
	small := copyFS(t, "fs1/small/small.fs")
	// the root object as of T1, whose dump entry is in the golden dump
	dump := readTestdata(t, "fs1/small/small.zdump.raw")
	i := strings.Index(dump, "txn 03f5945b29d60e88")
	entry := dump[strings.Index(dump[i:], "obj 0000000000000000 ")+i:]
	entry = entry[:strings.Index(entry, "\nobj 0000000000000001 ")+1]
	header, data, _ := strings.Cut(entry, "\n")
	data = strings.TrimSuffix(data, "\n")
	xid := "0000000000000000@03f5945b29d60e88"

	wantOK(t, []string{"catobj", small, xid}, entry)
	wantOK(t, []string{"catobj", "--raw", small, xid}, data)
	wantOK(t, []string{"catobj", "--hashonly", small, xid, xid}, header+" -\n"+header+" -\n")
	// a later state still sees that revision until the root changes
	wantOK(t, []string{"catobj", "--raw", small, "03f5945b29d60e88:0000000000000000"}, data)

	wantFail(t, []string{"catobj", small, "0000000000000000"}, 2, "", "invalid xid")
	wantFail(t, []string{"catobj", small, "zz@03f5945b29d60e88"}, 2, "", "invalid xid")
	wantFail(t, []string{"catobj", "--raw", "--hashonly", small, xid}, 2, "", "incompatible")
	wantFail(t, []string{"catobj", "--raw", small, xid, xid}, 2, "", "only one")
	wantFail(t, []string{"catobj", small}, 2, "")
	wantFail(t, []string{"catobj", small, "00000000000000ff@03f5946af81d3dee"}, 1, "", "00000000000000ff")
	// oid 0x21 was deleted by T9 (undo of its creation)
	wantFail(t, []string{"catobj", small, "0000000000000021@03f5946af81d3dee"}, 1, "", "0000000000000021")
}

func TestAnalyze(t *testing.T) {
	small := copyFS(t, "fs1/small/small.fs")
	wantOK(t, []string{"analyze", small}, readTestdata(t, "fs1/small/small.zanalyze.txt"))
	wantOK(t, []string{"analyze", "--csv", small}, readTestdata(t, "fs1/small/small.zanalyze.csv"))
	wantOK(t, []string{"analyze", "-c", "--dbm", small, ".."}, readTestdata(t, "fs1/small/small.zanalyze.csv"))
	wantOK(t, []string{"analyze", small, "ffffffffffffffff.."}, "# ø\nNo transactions processed\n")

	hdr := copyFS(t, "fs1/truncated/truncated-hdr.fs")
	wantFail(t, []string{"analyze", hdr}, 1, "", "@29007")
	wantFail(t, []string{"analyze", small, "bad"}, 2, "", "invalid tid range")
	wantFail(t, []string{"analyze", "--bogus", small}, 2, "", "unknown flag")
}
