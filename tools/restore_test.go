package tools

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// dumpString dumps all of stor.
func dumpString(t testing.TB, stor zodb.Storage) string {
	t.Helper()
	var b bytes.Buffer
	if err := Dump(context.Background(), &b, stor, 0, zodb.TidMax, nil); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// lossyDelete reports whether a difference is the one a dump cannot carry:
// a record that deletes through a backpointer (undo of an undone creation)
// dumps as "delete" and is restored as a plain deletion.
func lossyDelete(d *Difference) bool {
	return d != nil && d.OnlyIn == 0 && strings.HasSuffix(d.What, "!= from 0000000000000000")
}

// TestRestoreGoldens restores the dump of every testdata storage into
// memory: the restored storage dumps the same, and Cmp finds it equal but
// for what the dump format cannot say.
func TestRestoreGoldens(t *testing.T) {
	ctx := context.Background()
	for _, g := range goldenStorages(t) {
		want, pyFailed, ok := readGolden(t, g.golden("zdump.raw"))
		if !ok || pyFailed {
			continue
		}
		src := openReadOnly(t, g.path)
		w := newMemWriter()
		var tids []zodb.Tid
		var reports int
		err := Restore(ctx, w, strings.NewReader(want), &RestoreOptions{Name: "<stdin>",
			Restored: func(tid zodb.Tid) { tids = append(tids, tid) },
			Progress: func(done, total int64) { reports++ }, InputSize: int64(len(want))})
		if err != nil {
			t.Errorf("%s: %v", g.name(), err)
			continue
		}
		if got := dumpString(t, w); got != want {
			t.Errorf("%s: restored storage dumps differently", g.name())
		}
		if len(tids) != strings.Count(want, "\ntxn ")+min(1, len(want)) || reports == 0 {
			t.Errorf("%s: %d tids reported, %d progress reports", g.name(), len(tids), reports)
		}
		diff, err := Cmp(ctx, src, w, 0, zodb.TidMax, nil)
		if err != nil {
			t.Fatal(err)
		}
		if lossyDelete(diff) {
			// nothing else may differ
			diff, err = Cmp(ctx, src, w, diff.Tid+1, zodb.TidMax, nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		if diff != nil {
			t.Errorf("%s: restored storage differs: %s", g.name(), diff)
		}
	}
}

// TestRestoreBad: a malformed dump fails with one error naming the line,
// and leaves the storage with the transactions before the bad one.
func TestRestoreBad(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile("../testdata/fs1/small/small.zdump.raw")
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	corruptAt := strings.Index(good, "obj 0000000000000001 ") // in the 2nd txn
	sizeAt := corruptAt + len("obj 0000000000000001 ")
	second := strings.Index(good[1:], "\ntxn ") + 2
	third := second + strings.Index(good[second:], "\ntxn ") + 1
	for _, tt := range []struct {
		name, in, want string
		committed      int // transactions of the dump that must be there
	}{
		{"cut", good[:corruptAt+300], "unexpected end of dump in data of obj 0000000000000001", 1},
		{"hash", good[:corruptAt+200] + "X" + good[corruptAt+201:], "data corrupt: obj 0000000000000001: sha1 = ", 1},
		{"size", good[:sizeAt] + "1" + good[sizeAt:], "no LF after obj data: obj 0000000000000001 is not 1", 1},
		{"order", good[:third] + good[second:], "is not after the previous one", 2},
		{"hashonly", good[:second] + "txn 0fffffffffffffff \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\n" +
			"obj 0000000000000001 0 null:00 -\n\n", "<stdin>+14: txn 0fffffffffffffff: obj 0000000000000001: a hash-only entry cannot be restored", 1},
		{"nodata", good[:second] + "txn 0fffffffffffffff \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\n" +
			"obj 0000000000000005 from 0fffffffffffffff\n\n", "obj 0000000000000005: copy from @0fffffffffffffff: no data", 1},
		{"bad txn", good[:second] + "txn 0fffffffffffffff \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\n" +
			"obj 0000000000000000 from 0000000000000001\n\n", "<stdin>+14: txn 0fffffffffffffff: obj 0000000000000000: copy from @0000000000000001: no data", 1},
	} {
		w := newMemWriter()
		err := Restore(ctx, w, strings.NewReader(tt.in), &RestoreOptions{Name: "<stdin>"})
		if err == nil || !strings.HasPrefix(err.Error(), "tools: restore: <stdin>+") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
		if got, want := dumpString(t, w), good[:nthTxn(good, tt.committed)]; got != want {
			t.Errorf("%s: storage holds %d bytes of dump, want %d", tt.name, len(got), len(want))
		}
	}
}

// nthTxn returns where the n-th transaction (from 0) of a dump starts, or
// its length.
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

// TestRestoreStorageErrors: errors of the storage name the line.
func TestRestoreStorageErrors(t *testing.T) {
	ctx := context.Background()
	in := "txn 0000000000000005 \" \"\nuser \"\"\ndescription \"\"\nextension \"\"\nobj 0000000000000001 0 null:00\n\n\n"
	w := newMemWriter()
	w.readOnly = true
	if err := Restore(ctx, w, strings.NewReader(in), nil); !errors.Is(err, zodb.ErrReadOnly) ||
		!strings.Contains(err.Error(), "+1: txn 0000000000000005: ") {
		t.Errorf("read-only: %v", err)
	}
	w = newMemWriter()
	if err := Restore(ctx, w, strings.NewReader(in), nil); err != nil {
		t.Fatal(err)
	}
	if err := Restore(ctx, w, strings.NewReader(in), nil); !errors.Is(err, zodb.ErrTidOrder) {
		t.Errorf("restoring twice: %v", err)
	}
	w = newMemWriter()
	w.failVoteAt = 1
	if err := Restore(ctx, w, strings.NewReader(in), nil); err == nil || !strings.Contains(err.Error(), "no space left") || w.Head() != 0 {
		t.Errorf("failed vote: %v, head %s", err, w.Head())
	}
}
