package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// runZodbIn runs the command tree with stdin.
func runZodbIn(t *testing.T, stdin string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	root := newRootCommand()
	root.SetIn(strings.NewReader(stdin))
	return cli.Capture(root, args)
}

// roundTripFS lists the FileStorages of testdata a round trip is tested
// on: all but the torn ones.
func roundTripFS(t *testing.T) []string {
	t.Helper()
	fs, _ := filepath.Glob(filepath.Join(testdata, "fs1", "*", "*.fs"))
	zt, _ := filepath.Glob(filepath.Join(testdata, "zodbtools", "*", "*", "data.fs"))
	var all []string
	for _, p := range append(fs, zt...) {
		if filepath.Base(filepath.Dir(p)) != "truncated" {
			rel, _ := filepath.Rel(testdata, p)
			all = append(all, rel)
		}
	}
	if len(all) != 12 {
		t.Fatalf("found %d FileStorages in testdata: %q", len(all), all)
	}
	return all
}

// newFSLike returns the path of a new FileStorage in a fresh directory
// with the magic of src, so that a copy of a Python 2 file ("FS21") can
// be the same file.
func newFSLike(t *testing.T, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "copy.fs")
	if err := os.WriteFile(p, b[:min(4, len(b))], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRestoreRoundTrip: `zodb dump A | zodb restore B` gives a B that
// dumps as A and compares equal to A — but for what a dump cannot say —
// and B is A's bytes, or what Python's restore writes from the same dump.
func TestRestoreRoundTrip(t *testing.T) {
	for _, rel := range roundTripFS(t) {
		a := copyFS(t, rel)
		b := newFSLike(t, a)
		status, dump, errOut := runZodb(t, "dump", a)
		if status != 0 {
			t.Fatalf("%s: dump: %s", rel, errOut)
		}
		status, tids, errOut := runZodbIn(t, dump, "restore", b)
		if status != 0 || errOut != "" {
			t.Errorf("%s: restore: status %d: %s", rel, status, errOut)
			continue
		}
		if want := strings.Count(dump, "\ntxn ") + min(1, len(dump)); strings.Count(tids, "\n") != want {
			t.Errorf("%s: restore printed %d tids, want %d", rel, strings.Count(tids, "\n"), want)
		}
		wantOK(t, []string{"dump", b}, dump)

		lossy := ""
		wantBytes := mustRead(t, a)
		switch rel {
		case "fs1/small/small.fs":
			lossy = "transaction 03f5946132293800 is different: obj 0000000000000021: data from 03f5945fc6ca7daa != from 0000000000000000"
			fallthrough
		case "fs1/packed/packed.fs":
			wantBytes = mustRead(t, filepath.Join("testdata", "pyrestore", filepath.Base(rel)))
		}
		if !bytes.Equal(mustRead(t, b), wantBytes) {
			t.Errorf("%s: restored file differs", rel)
		}
		if lossy == "" {
			wantOK(t, []string{"cmp", a, b}, "")
			continue
		}
		wantFail(t, []string{"cmp", a, b}, 1, "", lossy)
		wantOK(t, []string{"cmp", a, b, "03f5946132293801.."}, "")
	}
}

// TestConvertRoundTrip: `zodb convert A C` gives A's bytes, every time.
func TestConvertRoundTrip(t *testing.T) {
	for _, rel := range roundTripFS(t) {
		a := copyFS(t, rel)
		c := newFSLike(t, a)
		status, out, errOut := runZodb(t, "convert", a, c)
		if status != 0 || !strings.HasSuffix(out, ", 0 were there already\n") {
			t.Errorf("%s: convert: status %d: %s%s", rel, status, out, errOut)
			continue
		}
		if !bytes.Equal(mustRead(t, c), mustRead(t, a)) {
			t.Errorf("%s: converted file differs", rel)
		}
		wantOK(t, []string{"cmp", "-v", a, "file://" + c}, "equal\n")
		_, dumpA, _ := runZodb(t, "dump", a)
		wantOK(t, []string{"dump", c}, dumpA)
		// again: nothing to copy
		wantOK(t, []string{"convert", a, c}, fmt.Sprintf("0 transactions copied (0 records, 0 bytes of data), %d were there already\n",
			strings.Count(dumpA, "\ntxn ")+min(1, len(dumpA))))
	}
}

// TestConvertResume: a copy cut short by a torn source resumes from
// another source holding the same history, and gives the same file.
func TestConvertResume(t *testing.T) {
	torn := copyFS(t, "fs1/truncated/truncated-hdr.fs")
	small := copyFS(t, "fs1/small/small.fs")
	c := filepath.Join(t.TempDir(), "c.fs")
	wantFail(t, []string{"convert", torn, c}, 1, "", "@29007")
	status, out, errOut := runZodb(t, "convert", small, c)
	if status != 0 || out != "1 transactions copied (2 records, 577 bytes of data), 19 were there already\n" {
		t.Errorf("resume: status %d: %q %s", status, out, errOut)
	}
	if !bytes.Equal(mustRead(t, c), mustRead(t, small)) {
		t.Errorf("resumed copy differs from its source")
	}
}

// TestConvertDisagree: a destination that is not a copy of the source's
// history is refused and left alone.
func TestConvertDisagree(t *testing.T) {
	small := copyFS(t, "fs1/small/small.fs")
	other := copyFS(t, "fs1/empty/rootonly.fs")
	before := mustRead(t, other)
	wantFail(t, []string{"convert", small, other}, 1, "",
		"is not a copy of "+small+" up to its head 03f6489522222222: transaction 03f59459b2f6cfcc is in the source only")
	if !bytes.Equal(mustRead(t, other), before) {
		t.Errorf("refused destination changed")
	}
	// the source restored from a dump is not a copy: a lossy delete
	b := filepath.Join(t.TempDir(), "b.fs")
	_, dump, _ := runZodb(t, "dump", small)
	if status, _, errOut := runZodbIn(t, dump, "restore", b); status != 0 {
		t.Fatal(errOut)
	}
	wantFail(t, []string{"convert", small, b}, 1, "", "transaction 03f5946132293800 differs: obj 0000000000000021")
	wantFail(t, []string{"convert", small, "missing-dir/x/c.fs"}, 1, "", "missing-dir/x/c.fs")
}

// TestRestoreBad: each kind of malformed dump stops restore with one error
// naming the line; what was restored before stays, and restoring the rest
// of a good dump afterwards completes the copy.
func TestRestoreBad(t *testing.T) {
	rootonly := copyFS(t, "fs1/empty/rootonly.fs")
	_, good, _ := runZodb(t, "dump", copyFS(t, "fs1/small/small.fs"))
	second := strings.Index(good, "\ntxn ") + 1 // 2nd transaction, lines 10..
	third := second + strings.Index(good[second:], "\ntxn ") + 1
	obj1 := strings.Index(good, "obj 0000000000000001 ") // in the 2nd transaction
	size1 := obj1 + len("obj 0000000000000001 ")
	const hdr = "txn 0fffffffffffffff \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\n"
	for _, tt := range []struct {
		name, in, want string
		restored       int // transactions restored before the error
	}{
		{"cut in data", good[:obj1+300], "unexpected end of dump in data of obj 0000000000000001: 229 bytes of 506 and a LF", 1},
		{"cut in header", good[:second+25], "<stdin>+10: invalid line: no user: unexpected end of dump", 1},
		{"cut before the empty line", good[:third-1], "unexpected end of dump in txn 03f5945b29d60e88: no empty line after its last obj", 1},
		{"hash", good[:obj1+200] + "X" + good[obj1+201:], "data corrupt: obj 0000000000000001: sha1 = ", 1},
		{"size", good[:size1] + "1" + good[size1:], "no LF after obj data: obj 0000000000000001 is not 1506 bytes long", 1},
		{"order", good[:third] + good[second:], "<stdin>+", 2},
		{"hashonly", good[:second] + hdr + "obj 0000000000000001 0 null:00 -\n\n",
			"<stdin>+14: txn 0fffffffffffffff: obj 0000000000000001: a hash-only entry cannot be restored", 1},
		{"copy of nothing", good[:second] + hdr + "obj 0000000000000000 from 0000000000000001\n\n",
			"<stdin>+14: txn 0fffffffffffffff: obj 0000000000000000: copy from @0000000000000001: no data", 1},
		{"garbage", "garbage\n", `<stdin>+1: invalid line: no txn start ("garbage")`, 0},
	} {
		b := filepath.Join(t.TempDir(), "b.fs")
		status, out, errOut := runZodbIn(t, tt.in, "restore", b)
		if status != 1 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "zodb: tools: restore: <stdin>+") ||
			!strings.Contains(errOut, tt.want) {
			t.Errorf("%s: status %d, stderr %q, want %q", tt.name, status, errOut, tt.want)
		}
		if strings.Count(out, "\n") != tt.restored {
			t.Errorf("%s: printed %q, want %d tids", tt.name, out, tt.restored)
		}
		// b holds the restored transactions, and takes the rest
		done := nthTxn(good, tt.restored)
		wantOK(t, []string{"dump", b}, good[:done])
		if status, _, errOut := runZodbIn(t, good[done:], "restore", b); status != 0 {
			t.Errorf("%s: restoring the rest: %s", tt.name, errOut)
		}
		wantOK(t, []string{"dump", b}, good)
	}
	// a dump whose tids do not come after the storage's head
	if status, out, errOut := runZodbIn(t, "", "restore", rootonly); status != 0 || out != "" || errOut != "" {
		t.Errorf("empty dump: %d %q %q", status, out, errOut) // nothing to do
	}
	status, _, errOut := runZodbIn(t, good, "restore", rootonly)
	if status != 1 || !strings.Contains(errOut, "<stdin>+1: txn 03f59459b2f6cfcc: ") || !strings.Contains(errOut, "not after the head") {
		t.Errorf("restore before the head: %d %q", status, errOut)
	}
}

func sha1hex(s string) string { return fmt.Sprintf("%x", sha1.Sum([]byte(s))) }

// nthTxn returns where the n-th transaction (from 0) of a dump starts.
func nthTxn(dump string, n int) int {
	off := 0
	for i := 0; i < n; i++ {
		j := strings.Index(dump[off+1:], "\ntxn ")
		if j < 0 {
			return len(dump)
		}
		off += j + 2
	}
	return off
}

// TestCommit is zodbtools' test_zodbcommit_cmd, then its failures.
func TestCommit(t *testing.T) {
	fs := copyFS(t, "fs1/empty/rootonly.fs")
	_, at0, _ := runZodb(t, "info", fs, "head")
	at0 = strings.TrimSpace(at0)
	t1 := "user \"user name\"\ndescription \"description ...\"\nextension \"\\x80\\x03}q\\x00X\\x01\\x00\\x00\\x00aq\\x01X\\x01\\x00\\x00\\x00bq\\x02s.\"\n" +
		"obj 0000000000000001 5 sha1:" + sha1hex("data1") + "\ndata1\n" +
		"obj 0000000000000002 5 sha1:" + sha1hex("data2") + "\ndata2\n\n"
	t2 := "user \"user2\"\ndescription \"desc2\"\nextension \"\"\nobj 0000000000000002 delete\n\n"
	status, at1, errOut := runZodbIn(t, t1, "commit", fs, at0)
	at1 = strings.TrimSpace(at1)
	if status != 0 || len(at1) != 16 {
		t.Fatalf("commit: %d %q %s", status, at1, errOut)
	}
	status, at2, errOut := runZodbIn(t, t2, "commit", fs, at1)
	at2 = strings.TrimSpace(at2)
	if status != 0 {
		t.Fatalf("commit: %s", errOut)
	}
	wantOK(t, []string{"dump", fs, at1 + ".."}, "txn "+at1+" \" \"\n"+t1+"txn "+at2+" \" \"\n"+t2)

	t3 := "user \"user3\"\ndescription \"desc3\"\nextension \"\"\nobj 0000000000000001 from " + at1 + "\n\n"
	status, at3, errOut := runZodbIn(t, t3, "commit", fs, at1)
	if status != 0 {
		t.Fatalf("commit: %s", errOut)
	}
	wantOK(t, []string{"catobj", "--raw", fs, "0000000000000001@" + strings.TrimSpace(at3)}, "data1")

	// a change based on a state before the object changed
	status, out, errOut := runZodbIn(t, t1, "commit", fs, at0)
	if status != 1 || out != "" || !strings.Contains(errOut, "<stdin>+4: obj 0000000000000001: ") ||
		!strings.Contains(errOut, "conflict") {
		t.Errorf("conflict: %d %q %q", status, out, errOut)
	}
	status, _, errOut = runZodbIn(t, t1+"x", "commit", fs, at0)
	if status != 1 || !strings.Contains(errOut, "<stdin>+9: garbage after transaction") {
		t.Errorf("garbage: %d %q", status, errOut)
	}
	status, _, errOut = runZodbIn(t, t1, "commit", "file://"+fs+"?read_only=true", at2)
	if status != 1 || !strings.Contains(errOut, "read-only") {
		t.Errorf("read-only: %d %q", status, errOut)
	}
	wantFail(t, []string{"commit", fs, "xyz"}, 2, "", "invalid at")
	wantFail(t, []string{"commit", fs}, 2, "")
	wantFail(t, []string{"commit", "file://" + fs + "?read_only=maybe", at0}, 1, "", "invalid read_only")
}

// TestWriterLocked: a FileStorage another writer holds is refused.
func TestWriterLocked(t *testing.T) {
	fs := copyFS(t, "fs1/small/small.fs")
	w, err := fs1.Open(context.Background(), fs, &zodb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	small := copyFS(t, "fs1/small/small.fs")
	before := mustRead(t, fs)
	for _, args := range [][]string{
		{"commit", fs, "03f5946af81d3dee"}, {"restore", fs}, {"convert", small, fs},
	} {
		status, _, errOut := runZodbIn(t, "user \"\"\ndescription \"\"\nextension \"\"\n\n", args...)
		if status != 1 || !strings.Contains(errOut, fs+".lock") || !strings.Contains(errOut, "locked") {
			t.Errorf("zodb %q: %d %q", args, status, errOut)
		}
	}
	// readers are not stopped
	wantOK(t, []string{"cmp", small, fs}, "")
	if !bytes.Equal(mustRead(t, fs), before) {
		t.Errorf("locked file changed")
	}
}

// TestCmpCommand: exit statuses 0, 1 and 2 as zodbtools' cmp.
func TestCmpCommand(t *testing.T) {
	small := copyFS(t, "fs1/small/small.fs")
	packed := copyFS(t, "fs1/packed/packed.fs")
	wantOK(t, []string{"cmp", small, small}, "")
	wantOK(t, []string{"cmp", "-v", small, small, "..03f5945df50e3734"}, "equal\n")
	wantFail(t, []string{"cmp", "-v", small, packed, "03f5945b29d60e88.."}, 1,
		"not-equal: transaction 03f5945b29d60e88 is different\n", `transaction 03f5945b29d60e88 is different: status " " != "p"`)
	wantFail(t, []string{"cmp", "-v", small, packed}, 1, "not-equal: tid 03f59459b2f6cfcc present in stor1 but not in stor2\n",
		"tid 03f59459b2f6cfcc present in stor1 but not in stor2")
	wantFail(t, []string{"cmp", small, copyFS(t, "fs1/empty/rootonly.fs")}, 1, "",
		"tid 03f59459b2f6cfcc present in stor1 but not in stor2")
	wantFail(t, []string{"cmp", small, filepath.Join(t.TempDir(), "missing.fs")}, 2, "", "missing.fs")
	wantFail(t, []string{"cmp", small, copyFS(t, "fs1/truncated/truncated-hdr.fs")}, 2, "", "@29007")
	wantFail(t, []string{"cmp", small}, 2, "")
	wantFail(t, []string{"cmp", small, small, "bad"}, 2, "", "invalid tid range")
}
