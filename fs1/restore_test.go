package fs1

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// copyAll restores every transaction of src into dst, as Python's
// copyTransactionsFrom does.
func copyAll(t testing.TB, src zodb.Storage, dst zodb.Writer) {
	t.Helper()
	it := src.Iterate(ctx, 0, zodb.TidMax)
	for {
		info, di, err := it.NextTxn(ctx)
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		txn, err := dst.BeginRestore(ctx, info)
		if err != nil {
			t.Fatal(err)
		}
		for {
			d, err := di.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := txn.Restore(ctx, d.Oid, d.Data, d.DataTid); err != nil {
				t.Fatal(err)
			}
		}
		if err := txn.Vote(ctx); err != nil {
			t.Fatal(err)
		}
		if err := txn.Finish(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRestoreGolden copies every file Python wrote with BeginRestore: the
// copy must be the same file byte for byte — what Python's
// copyTransactionsFrom writes — with the same index once closed.
func TestRestoreGolden(t *testing.T) {
	for _, tf := range testFiles(t) {
		if strings.Contains(tf.path, "truncated") {
			continue
		}
		t.Run(tf.path, func(t *testing.T) {
			src := openRO(t, tf.path)
			defer src.Close()
			p := filepath.Join(t.TempDir(), "data.fs")
			dst, _ := openRW(t, p)
			copyAll(t, src, dst)
			if dst.Head() != src.Head() {
				t.Errorf("head %s, want %s", dst.Head(), src.Head())
			}
			if err := dst.Close(); err != nil {
				t.Fatal(err)
			}
			want := mustRead(t, tf.path)
			got := mustRead(t, p)
			if string(want[:4]) == Magic21 {
				// A new file gets the Python 3 magic.
				want = append([]byte(Magic30), want[4:]...)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("copy differs from the original (%d bytes, want %d) from @%d", len(got), len(want), diffAt(got, want))
			}
			if tf.index != "" && !strings.Contains(tf.path, "py2_") {
				if got, want := mustRead(t, p+".index"), mustRead(t, tf.index); !bytes.Equal(got, want) {
					t.Errorf("index differs from Python's")
				}
			}
		})
	}
}

func diffAt(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCommitLikePython replays small.fs through Begin/Store/Delete with
// its own tids: up to its first undo (which only restore can write as a
// backpointer), the file must be the one Python wrote byte for byte, and
// all of it must iterate the same.
func TestCommitLikePython(t *testing.T) {
	const small = "../testdata/fs1/small/small.fs"
	src := openRO(t, small)
	defer src.Close()
	want := readAllTxns(t, src)
	p := filepath.Join(t.TempDir(), "data.fs")
	dst, _ := openRW(t, p)
	next := 0
	dst.w.newTid = func(zodb.Tid) zodb.Tid { return want[next].info.Tid }
	serials := map[zodb.Oid]zodb.Tid{}
	var undoPos int64 = -1
	for i, x := range want {
		next = i
		txn, err := dst.Begin(ctx, zodb.TxnMeta{User: x.info.User, Description: x.info.Description, Extension: x.info.Extension})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range x.recs {
			if r.DataTid != 0 && undoPos < 0 {
				undoPos = dst.Size()
			}
			if r.Data == nil {
				err = txn.Delete(ctx, r.Oid, serials[r.Oid])
			} else {
				err = txn.Store(ctx, r.Oid, serials[r.Oid], r.Data)
			}
			if err != nil {
				t.Fatalf("transaction %s: %v", x.info.Tid, err)
			}
			serials[r.Oid] = x.info.Tid
		}
		if err := txn.Vote(ctx); err != nil {
			t.Fatal(err)
		}
		if tid, err := txn.Finish(ctx); err != nil || tid != x.info.Tid {
			t.Fatalf("finish: %s %v, want %s", tid, err, x.info.Tid)
		}
	}
	got := readAllTxns(t, dst)
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	if undoPos < 0 {
		t.Fatal("small.fs has no undo")
	}
	if a, b := mustRead(t, p), mustRead(t, small); !bytes.Equal(a[:undoPos], b[:undoPos]) {
		t.Errorf("file differs from Python's at @%d, before the first undo @%d", diffAt(a, b), undoPos)
	}
	for i := range want {
		for j := range want[i].recs {
			want[i].recs[j].DataTid = 0 // undo records are data records here
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d transactions, want %d", len(got), len(want))
	}
	for i := range want {
		if !sameTxn(got[i], want[i]) {
			t.Errorf("transaction %s differs:\n%+v\nwant\n%+v", want[i].info.Tid, got[i], want[i])
		}
	}
}

// txnCopy is a transaction as iteration yields it, copied.
type txnCopy struct {
	info zodb.TxnInfo
	recs []zodb.DataInfo
}

func readAllTxns(t testing.TB, s zodb.Storage) []txnCopy {
	t.Helper()
	var txns []txnCopy
	it := s.Iterate(ctx, 0, zodb.TidMax)
	for {
		info, di, err := it.NextTxn(ctx)
		if err == io.EOF {
			return txns
		}
		if err != nil {
			t.Fatal(err)
		}
		x := txnCopy{info: *info}
		for {
			d, err := di.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			r := *d
			r.Data = bytes.Clone(d.Data)
			x.recs = append(x.recs, r)
		}
		txns = append(txns, x)
	}
}

func sameTxn(a, b txnCopy) bool {
	if a.info.Tid != b.info.Tid || a.info.Status != b.info.Status || !bytes.Equal(a.info.User, b.info.User) ||
		!bytes.Equal(a.info.Description, b.info.Description) || !bytes.Equal(a.info.Extension, b.info.Extension) ||
		len(a.recs) != len(b.recs) {
		return false
	}
	for i, r := range a.recs {
		s := b.recs[i]
		if r.Oid != s.Oid || r.Tid != s.Tid || r.DataTid != s.DataTid || !bytes.Equal(r.Data, s.Data) || (r.Data == nil) != (s.Data == nil) {
			return false
		}
	}
	return true
}
