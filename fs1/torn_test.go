package fs1

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

const hotOid = zodb.Oid(3) // small.fs: one revision per transaction from T12 on

// TestTorn checks what python-behaviour.txt says Python's read-only
// FileStorage does with the torn files, with and without small.fs's index
// next to them.
func TestTorn(t *testing.T) {
	cases := []struct {
		file      string
		head      string
		size      int64
		tailTid   string // "" when the tail's header is cut
		inProg    bool
		useIndex  bool // whether small.fs.index is trusted for it
		hotSerial string
	}{
		{"truncated.fs", "03f5946af81d3dee", 29007, "03f5946af81d3dee", false, false, "03f5946aa8409c77"},
		{"truncated-hdr.fs", "03f5946aa8409c77", 29007, "", false, false, "03f5946aa8409c77"},
		{"checkpoint.fs", "03f5994008888888", 29740, "03f5994008888888", true, true, "03f5946af81d3dee"},
	}
	for _, c := range cases {
		for _, withIndex := range []bool{false, true} {
			name := c.file
			if withIndex {
				name += "+index"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				p := copyFile(t, "../testdata/fs1/truncated/"+c.file, dir, "data.fs")
				if withIndex {
					copyFile(t, "../testdata/fs1/small/small.fs.index", dir, "data.fs.index")
					f := openFile(t, p)
					if idx, _ := f.loadIndex(p + ".index"); (idx != nil) != c.useIndex {
						t.Errorf("index used: %v, want %v", idx != nil, c.useIndex)
					}
					f.Close()
				}
				fs := openRO(t, p)
				defer fs.Close()
				checkSameHeadSize(t, fs, c.head, c.size)
				checkTail(t, fs.Tail(), c.size, c.tailTid, c.inProg)
				_, serial, err := fs.Load(ctx, zodb.Xid{At: fs.Head(), Oid: hotOid})
				if err != nil || serial.String() != c.hotSerial {
					t.Errorf("load hot object at head: serial %s, %v; want %s", serial, err, c.hotSerial)
				}
			})
		}
	}
}

func checkTail(t *testing.T, tail *TornTail, pos int64, tid string, inProg bool) {
	t.Helper()
	if tail == nil {
		t.Fatal("no tail")
	}
	wantTid := zodb.Tid(0)
	if tid != "" {
		wantTid, _ = zodb.ParseTid(tid)
	}
	var re *RecordError
	if tail.Pos != pos || tail.Tid != wantTid || !errors.As(tail.Err, &re) || re.Pos != pos {
		t.Errorf("tail %+v, want @%d tid %s", tail, pos, wantTid)
	}
	if inProg != errors.Is(tail.Err, ErrInProgress) || inProg == IsTorn(tail.Err) {
		t.Errorf("tail error %v: in progress %v", tail.Err, inProg)
	}
}

// TestSync grows a torn file into the whole small.fs behind an open
// storage's back: Sync takes the new transaction in.
func TestSync(t *testing.T) {
	dir := t.TempDir()
	p := copyFile(t, "../testdata/fs1/truncated/truncated-hdr.fs", dir, "data.fs")
	full := mustRead(t, "../testdata/fs1/small/small.fs")
	fs := openRO(t, p)
	defer fs.Close()
	checkSameHeadSize(t, fs, "03f5946aa8409c77", 29007)

	// Half of the transaction: still torn.
	// Sync reports the last committed transaction, not the torn one.
	appendFile(t, p, full[29017:29300])
	head, err := fs.Sync(ctx)
	if err != nil || head.String() != "03f5946aa8409c77" || fs.Size() != 29007 || !IsTorn(fs.Tail().Err) {
		t.Fatalf("half-written: sync %s %v, size %d tail %+v", head, err, fs.Size(), fs.Tail())
	}
	appendFile(t, p, full[29300:])
	head, err = fs.Sync(ctx)
	if err != nil || head.String() != "03f5946af81d3dee" || fs.Size() != 29740 || fs.Tail() != nil {
		t.Fatalf("complete: sync %s %v, size %d tail %+v", head, err, fs.Size(), fs.Tail())
	}
	_, serial, err := fs.Load(ctx, zodb.Xid{At: head, Oid: hotOid})
	if err != nil || serial != head {
		t.Errorf("load after sync: %s %v", serial, err)
	}
	n := 0
	it := fs.Iterate(ctx, 0, zodb.TidMax)
	for {
		if _, _, err := it.NextTxn(ctx); err != nil {
			if err != io.EOF {
				t.Error(err)
			}
			break
		}
		n++
	}
	if n != 20 {
		t.Errorf("%d transactions after sync, want 20", n)
	}
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestOpenURL opens through the zodb.Open registry, by path and file URL.
func TestOpenURL(t *testing.T) {
	abs, _ := filepath.Abs("../testdata/fs1/small/small.fs")
	for _, u := range []string{"../testdata/fs1/small/small.fs", "file://" + abs} {
		stor, err := zodb.Open(ctx, u, &zodb.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if stor.URL() != u || stor.Head().String() != "03f5946af81d3dee" {
			t.Errorf("%s: url %q head %s", u, stor.URL(), stor.Head())
		}
		stor.Close()
	}
	_, err := zodb.Open(ctx, "file://host/x.fs", nil)
	if err == nil {
		t.Error("file URL with a host opened")
	}
}
