package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: every failure is one line on stderr; usage errors exit 2,
// anything else 1.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notFS := filepath.Join(dir, "notes.txt")
	writeFile(t, notFS, "hello, world\n")
	short := filepath.Join(dir, "short.fs")
	writeFile(t, short, "FS")
	badIndex := filepath.Join(dir, "data.fs.index")
	writeFile(t, badIndex, "\x80\x03K\x04.\x80\x03C\x06")
	smallCopy := copyToTemp(t, testdata+"/fs1/small/small.fs")
	writeFile(t, smallCopy+".index", "garbage")
	missing := filepath.Join(dir, "missing.fs")

	for _, tt := range []struct {
		args   []string
		status int
		says   []string
	}{
		{[]string{}, 2, []string{"no command given"}},
		{[]string{"frobnicate"}, 2, []string{"unknown command"}},
		{[]string{"dump"}, 2, []string{"accepts 1 arg"}},
		{[]string{"dump", "a", "b"}, 2, []string{"accepts 1 arg"}},
		{[]string{"dump", "--bogus", "x"}, 2, []string{"unknown flag: --bogus"}},
		{[]string{"tail", "-n", "x", "a.fs"}, 2, []string{"invalid argument"}},
		{[]string{"tail", "-n", "-1", "a.fs"}, 2, []string{"-n: want a number of transactions >= 0"}},
		{[]string{"dump", missing}, 1, []string{missing, "no such file"}},
		{[]string{"dump", "-v", missing}, 1, []string{missing, "no such file"}},
		{[]string{"tail", missing}, 1, []string{missing, "no such file"}},
		{[]string{"reindex", missing}, 1, []string{missing, "no such file"}},
		{[]string{"verify-index", missing}, 1, []string{missing + ".index", "no such file"}},
		{[]string{"dump-fsi", missing}, 1, []string{missing, "no such file"}},
		{[]string{"dump", notFS}, 1, []string{notFS, "not a FileStorage"}},
		{[]string{"dump", "-v", notFS}, 1, []string{notFS, "not a FileStorage"}},
		{[]string{"tail", notFS}, 1, []string{notFS, "not a FileStorage"}},
		{[]string{"reindex", notFS}, 1, []string{notFS, "not a FileStorage"}},
		{[]string{"dump", short}, 1, []string{short, "too short"}},
		{[]string{"dump-fsi", badIndex}, 1, []string{badIndex, "corrupt data"}},
		{[]string{"dump-fsi", notFS}, 1, []string{notFS, "corrupt data"}},
		{[]string{"dump-fsi", testdata + "/fs1/small/small.fs"}, 1, []string{"small.fs", "corrupt data"}},
		{[]string{"verify-index", smallCopy}, 1, []string{smallCopy + ".index", "corrupt data"}},
	} {
		status, out, errOut := fs1(t, tt.args...)
		what := strings.Join(tt.args, " ")
		if status != tt.status {
			t.Errorf("fs1 %s: status %d, want %d (stderr %q)", what, status, tt.status, errOut)
		}
		if tt.status == 1 && strings.Contains(errOut, "fs1: fs1") {
			t.Errorf("fs1 %s: repeated prefix: %q", what, errOut)
		}
		if out != "" {
			t.Errorf("fs1 %s: stdout %q", what, out)
		}
		oneLine(t, "fs1 "+what, errOut, tt.says...)
	}
}

// TestHelp: every command has --help with an example.
func TestHelp(t *testing.T) {
	for _, c := range newRootCommand().Commands() {
		if c.Name() == "help" {
			continue
		}
		status, out, errOut := fs1(t, c.Name(), "--help")
		if status != 0 || errOut != "" || !strings.Contains(out, "Examples:\n  fs1 "+c.Name()) {
			t.Errorf("%s --help: status %d stderr %q\n%s", c.Name(), status, errOut, out)
		}
	}
	status, out, _ := fs1(t, "help")
	for _, name := range []string{"dump", "dump-fsi", "reindex", "tail", "verify-index"} {
		if status != 0 || !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help does not list %s:\n%s", name, out)
		}
	}
}
