package main

import (
	"os"
	"strings"
	"testing"
)

const goldenPackTid = "03f5946170d6d577" // between T09 and T10 of small.fs, as packed.gen.json

// TestPack packs a copy of small.fs at the time Python packed it to make
// packed.fs, then again.
func TestPack(t *testing.T) {
	path := copyToTemp(t, testdata+"/fs1/small/small.fs")
	status, out, errOut := fs1(t, "pack", path, goldenPackTid)
	if status != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q", status, errOut)
	}
	want := "packed " + path + " to 2024-01-02 03:13:26.446686 (" + goldenPackTid + "): 29740 -> 18829 bytes\n"
	if out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if readFile(t, path) != readFile(t, testdata+"/fs1/packed/packed.fs") {
		t.Error("packed file differs from packed.fs")
	}
	if readFile(t, path+".old") != readFile(t, testdata+"/fs1/small/small.fs") {
		t.Error("FILE.old is not the file before the pack")
	}
	status, out, errOut = fs1(t, "pack", "--remove-old", path, goldenPackTid)
	if status != 0 || errOut != "" || !strings.HasPrefix(out, "nothing to pack in "+path) {
		t.Errorf("second pack: status %d, stdout %q, stderr %q", status, out, errOut)
	}
}

// TestPackDays packs by days, as zodbpack: small.fs was written in 2024,
// so any number of days up to now packs everything, which fails on
// small.fs's dangling reference unless --no-gc.
func TestPackDays(t *testing.T) {
	path := copyToTemp(t, testdata+"/fs1/small/small.fs")
	status, _, errOut := fs1(t, "pack", "-d", "2", path)
	if status != 1 {
		t.Errorf("status %d, want 1", status)
	}
	oneLine(t, "pack -d 2", errOut, "oid 000000000000001c, which does not exist at the pack time", "without garbage collection")
	status, out, errOut := fs1(t, "pack", "--no-gc", "--remove-old", path)
	if status != 0 || errOut != "" || !strings.HasPrefix(out, "packed ") {
		t.Errorf("--no-gc: status %d, stdout %q, stderr %q", status, out, errOut)
	}
	if _, err := os.Stat(path + ".old"); !os.IsNotExist(err) {
		t.Errorf("--remove-old left FILE.old: %v", err)
	}
}

func TestPackTorn(t *testing.T) {
	path := copyToTemp(t, testdata+"/fs1/truncated/truncated.fs")
	status, out, errOut := fs1(t, "pack", path, goldenPackTid)
	if status != 0 || !strings.HasPrefix(out, "packed ") || !strings.Contains(out, "29007 -> 18096 bytes") {
		t.Errorf("status %d, stdout %q", status, out)
	}
	if !strings.HasPrefix(errOut, "fs1: warning: ") || !strings.Contains(errOut, "truncated") {
		t.Errorf("stderr %q: no warning about the torn tail", errOut)
	}
}

func TestPackBadInput(t *testing.T) {
	small := testdata + "/fs1/small/small.fs"
	for _, tt := range []struct {
		args   []string
		status int
		says   []string
	}{
		{[]string{"pack"}, 2, nil},
		{[]string{"pack", "a", "b", "c"}, 2, nil},
		{[]string{"pack", small, "not a time"}, 2, []string{`"not a time"`}},
		{[]string{"pack", small, "2999-01-01"}, 2, []string{"in the future"}},
		{[]string{"pack", small, "0000000000000000"}, 2, []string{"invalid pack time"}},
		{[]string{"pack", "-d", "-1", small}, 2, []string{"days"}},
		{[]string{"pack", "-d", "1", small, goldenPackTid}, 2, []string{"not both"}},
		{[]string{"pack", "-d", "x", small}, 2, nil},
		{[]string{"pack", t.TempDir() + "/missing.fs", goldenPackTid}, 1, []string{"no such file"}},
	} {
		what := strings.Join(tt.args, " ")
		status, out, errOut := fs1(t, tt.args...)
		if status != tt.status || out != "" {
			t.Errorf("fs1 %s: status %d, want %d; stdout %q", what, status, tt.status, out)
		}
		oneLine(t, "fs1 "+what, errOut, tt.says...)
	}
}
