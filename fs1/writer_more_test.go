package fs1

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestOtherReader watches a commit from a storage opened read-only on the
// same file, as another process would: between Vote and Finish the file
// holds the transaction with status 'c', which Sync does not serve.
func TestOtherReader(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	fs, _ := openRW(t, p)
	defer fs.Close()
	t0 := commitOne(t, fs, 0, []byte("v0"))
	ro := openRO(t, p)
	defer ro.Close()
	txn, err := fs.Begin(ctx, zodb.TxnMeta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, 0, t0, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	if h, err := ro.Sync(ctx); err != nil || h != t0 || !errors.Is(ro.Tail().Err, ErrInProgress) {
		t.Errorf("sync between Vote and Finish: %s %v, tail %+v; want %s", h, err, ro.Tail(), t0)
	}
	wantLoad(t, ro, 0, []byte("v0"), t0)
	t1, err := txn.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := ro.Sync(ctx); err != nil || h != t1 || ro.Tail() != nil {
		t.Errorf("sync after Finish: %s %v, want %s", h, err, t1)
	}
	wantLoad(t, ro, 0, []byte("v1"), t1)

	// An abort after Vote cuts the file back: the reader follows.
	txn, _ = fs.Begin(ctx, zodb.TxnMeta{})
	txn.Store(ctx, 0, t1, []byte("dropped"))
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	ro.Sync(ctx)
	txn.Abort()
	if h, err := ro.Sync(ctx); err != nil || h != t1 || ro.Tail() != nil {
		t.Errorf("sync after an abort: %s %v tail %+v, want %s", h, err, ro.Tail(), t1)
	}
}

// TestNewOidAfterIndex opens small.fs for writing: new oids follow the
// greatest oid in it, and any oid stored, as Python's new_oid.
func TestNewOidAfterIndex(t *testing.T) {
	p := copyFile(t, "../testdata/fs1/small/small.fs", t.TempDir(), "data.fs")
	copyFile(t, "../testdata/fs1/small/small.fs.index", filepath.Dir(p), "data.fs.index")
	fs, _ := openRW(t, p)
	defer fs.Close()
	var maxOid zodb.Oid
	fs.mu.index.Each(func(oid zodb.Oid, _ int64) bool { maxOid = max(maxOid, oid); return true })
	oid, err := fs.NewOid(ctx)
	if err != nil || oid != maxOid+1 {
		t.Errorf("NewOid %s %v, want %s", oid, err, maxOid+1)
	}
	txn, _ := fs.Begin(ctx, zodb.TxnMeta{})
	if err := txn.Store(ctx, 0x1000, 0, []byte("far")); err != nil {
		t.Fatal(err)
	}
	txn.Abort() // the oid stays used, as in Python
	if oid, _ := fs.NewOid(ctx); oid != 0x1001 {
		t.Errorf("NewOid after a store of 0x1000: %s", oid)
	}
}

// TestReadOnlyWrites checks that a read-only storage refuses to write.
func TestReadOnlyWrites(t *testing.T) {
	fs := openRO(t, "../testdata/fs1/small/small.fs")
	defer fs.Close()
	_, err1 := fs.Begin(ctx, zodb.TxnMeta{})
	_, err2 := fs.BeginRestore(ctx, &zodb.TxnInfo{Tid: zodb.TidMax})
	_, err3 := fs.NewOid(ctx)
	for _, err := range []error{err1, err2, err3} {
		if !errors.Is(err, zodb.ErrReadOnly) {
			t.Errorf("%v, want ErrReadOnly", err)
		}
	}
}

// TestCloseVoted closes a storage with a transaction voted: it is cut off,
// and the storage refuses to go on.
func TestCloseVoted(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	fs, _ := openRW(t, p)
	t0 := commitOne(t, fs, 0, []byte("v0"))
	size := fs.Size()
	txn, _ := fs.Begin(ctx, zodb.TxnMeta{})
	txn.Store(ctx, 0, t0, []byte("v1"))
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fs.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := txn.Finish(ctx); err == nil {
		t.Error("finished after Close")
	}
	if _, err := fs.NewOid(ctx); err == nil {
		t.Error("new oid after Close")
	}
	if n := len(mustRead(t, p)); int64(n) != size {
		t.Errorf("file of %d bytes, want %d", n, size)
	}
	fs, _ = openRW(t, p)
	defer fs.Close()
	if fs.Head() != t0 {
		t.Errorf("head %s, want %s", fs.Head(), t0)
	}
}

// TestTxnMisuse calls transaction methods out of order.
func TestTxnMisuse(t *testing.T) {
	fs, _ := openRW(t, filepath.Join(t.TempDir(), "data.fs"))
	defer fs.Close()
	txn, _ := fs.Begin(ctx, zodb.TxnMeta{})
	if _, err := txn.Finish(ctx); err == nil {
		t.Error("Finish before Vote")
	}
	if err := txn.Store(ctx, 1, 0, nil); err == nil {
		t.Error("stored empty data")
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, 1, 0, []byte("x")); err == nil {
		t.Error("Store after Vote")
	}
	if err := txn.Vote(ctx); err == nil {
		t.Error("second Vote")
	}
	if _, err := txn.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Finish(ctx); err == nil {
		t.Error("second Finish")
	}
	txn.Abort() // harmless after Finish
	if _, err := fs.Begin(ctx, zodb.TxnMeta{User: make([]byte, 70000)}); err == nil {
		t.Error("began with a user of 70000 bytes")
	}
	r, _ := fs.BeginRestore(ctx, &zodb.TxnInfo{Tid: fs.Head() + 1<<32})
	if err := r.Restore(ctx, 1, nil, fs.Head()+1<<32); err == nil {
		t.Error("backpointer to the transaction itself")
	}
	r.Abort()
	if _, err := fs.BeginRestore(ctx, &zodb.TxnInfo{Tid: fs.Head() + 1, Status: zodb.TxnInprogress}); err == nil {
		t.Error("restored a transaction with status 'c'")
	}
}
