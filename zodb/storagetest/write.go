package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// RunWriteSuite commits to the empty storages that open returns, one per
// subtest, and checks what zodb.Writer promises: commits load, iterate
// and show in history; conflicts (write and read) are detected; an
// aborted transaction leaves nothing; oids are new; restore keeps tids,
// statuses, backpointers and deletions; concurrent committers all get
// through; readers never see a transaction before Finish returned. At
// the end it runs RunReadSuite over a storage it committed to. The suite
// closes what open returns.
func RunWriteSuite(t *testing.T, open func(t *testing.T) zodb.Writer) {
	RunWriteSuiteWith(t, open, nil)
}

// WriteOptions adapt the write suite to what a driver's protocol can
// express. The zero value checks everything.
type WriteOptions struct {
	// NoAbsentConflict: a store based on a revision of an object that
	// does not exist commits (NEO: its storages accept it, as NEO/py's,
	// and the wire has no way to tell a conflict with an absent object).
	NoAbsentConflict bool
	// NoStatus: restored transactions do not keep a packed status (NEO
	// keeps no transaction status).
	NoStatus bool
}

// RunWriteSuiteWith is RunWriteSuite with options.
func RunWriteSuiteWith(t *testing.T, open func(t *testing.T) zodb.Writer, opt *WriteOptions) {
	if opt == nil {
		opt = &WriteOptions{}
	}
	run := func(name string, f func(t *testing.T, w zodb.Writer)) {
		t.Run(name, func(t *testing.T) {
			w := open(t)
			defer w.Close()
			f(t, w)
		})
	}
	run("NewOid", checkNewOid)
	run("Commit", checkCommit)
	run("Update", checkUpdate)
	run("Delete", checkDelete)
	run("EmptyTxn", checkEmptyTxn)
	run("WriteConflict", func(t *testing.T, w zodb.Writer) { checkWriteConflict(t, w, opt) })
	run("ReadConflict", checkReadConflict)
	run("Abort", checkAbort)
	run("Restore", func(t *testing.T, w zodb.Writer) { checkRestore(t, w, opt) })
	run("RestoreOrder", checkRestoreOrder)
	run("InvisibleUntilFinish", checkInvisible)
	run("ConcurrentCommit", checkConcurrentCommit)
	run("ContendedCounter", checkCounter)
	run("StableReads", checkStableReads)
	t.Run("ReadSuite", func(t *testing.T) {
		w := open(t)
		defer w.Close()
		fillForRead(t, w)
		RunReadSuite(t, func(t *testing.T) zodb.Storage { return nopClose{w} }, nil)
	})
}

var bg = context.Background()

// rec is one object change of a test transaction: data, or a deletion
// when data is nil.
type rec struct {
	oid    zodb.Oid
	serial zodb.Tid
	data   []byte
}

// commit commits recs with meta and returns the tid, failing the test on
// any error.
func commit(t *testing.T, w zodb.Writer, meta zodb.TxnMeta, recs ...rec) zodb.Tid {
	t.Helper()
	tid, err := tryCommit(w, meta, recs...)
	if err != nil {
		t.Fatal(err)
	}
	return tid
}

// tryCommit commits recs, aborting on any error.
func tryCommit(w zodb.Writer, meta zodb.TxnMeta, recs ...rec) (zodb.Tid, error) {
	txn, err := w.Begin(bg, meta)
	if err != nil {
		return 0, err
	}
	defer txn.Abort()
	for _, r := range recs {
		if r.data == nil {
			err = txn.Delete(bg, r.oid, r.serial)
		} else {
			err = txn.Store(bg, r.oid, r.serial, r.data)
		}
		if err != nil {
			return 0, err
		}
	}
	if err := txn.Vote(bg); err != nil {
		return 0, err
	}
	return txn.Finish(bg)
}

func newOid(t *testing.T, w zodb.Writer) zodb.Oid {
	t.Helper()
	oid, err := w.NewOid(bg)
	if err != nil {
		t.Fatal(err)
	}
	return oid
}

// wantLoad checks that oid at `at` loads data written by serial.
func wantLoad(t *testing.T, s zodb.Storage, oid zodb.Oid, at zodb.Tid, data []byte, serial zodb.Tid) {
	t.Helper()
	got, gotSerial, err := s.Load(bg, zodb.Xid{At: at, Oid: oid})
	if err != nil {
		t.Errorf("load %s@%s: %v", oid, at, err)
		return
	}
	if !bytes.Equal(got, data) || gotSerial != serial {
		t.Errorf("load %s@%s: %q serial %s, want %q serial %s", oid, at, got, gotSerial, data, serial)
	}
}

// wantNoData checks that oid has no data at `at`.
func wantNoData(t *testing.T, s zodb.Storage, oid zodb.Oid, at zodb.Tid) {
	t.Helper()
	data, serial, err := s.Load(bg, zodb.Xid{At: at, Oid: oid})
	if !zodb.IsNoData(err) {
		t.Errorf("load %s@%s: %q serial %s, %v; want no data", oid, at, data, serial, err)
	}
}

func checkNewOid(t *testing.T, w zodb.Writer) {
	seen := map[zodb.Oid]bool{}
	var last zodb.Oid
	for i := range 100 {
		oid := newOid(t, w)
		if seen[oid] || (i > 0 && oid <= last) {
			t.Fatalf("NewOid gave %s after %s", oid, last)
		}
		seen[oid], last = true, oid
	}
	// Oids given out and not used are not given again, even after a
	// commit of some of them.
	commit(t, w, zodb.TxnMeta{}, rec{oid: last, data: []byte("x")})
	if oid := newOid(t, w); oid <= last {
		t.Errorf("NewOid gave %s after %s was committed", oid, last)
	}
}

func checkCommit(t *testing.T, w zodb.Writer) {
	before := w.Head()
	a, b := newOid(t, w), newOid(t, w)
	meta := zodb.TxnMeta{User: []byte("user\x00\xff"), Description: []byte("descr\nline"), Extension: []byte("}q\x00.")}
	tid := commit(t, w, meta, rec{oid: a, data: []byte("data a")}, rec{oid: b, data: []byte("data b")})
	if tid <= before {
		t.Fatalf("tid %s not after the head %s", tid, before)
	}
	if h := w.Head(); h != tid {
		t.Errorf("head %s, want %s", h, tid)
	}
	if h, err := w.Sync(bg); err != nil || h != tid {
		t.Errorf("sync: %s %v, want %s", h, err, tid)
	}
	wantLoad(t, w, a, tid, []byte("data a"), tid)
	wantLoad(t, w, b, zodb.TidMax, []byte("data b"), tid)
	wantNoData(t, w, a, tid-1)
	txns := readAll(t, w, tid, tid, &ReadOptions{})
	if len(txns) != 1 {
		t.Fatalf("iterate %s..%s: %d transactions", tid, tid, len(txns))
	}
	x := txns[0]
	if x.info.Tid != tid || x.info.Status != zodb.TxnComplete || !bytes.Equal(x.info.User, meta.User) ||
		!bytes.Equal(x.info.Description, meta.Description) || !bytes.Equal(x.info.Extension, meta.Extension) {
		t.Errorf("iterate: %+v, want tid %s and %+v", x.info, tid, meta)
	}
	if len(x.recs) != 2 || x.recs[0].Oid != a || x.recs[1].Oid != b ||
		string(x.recs[0].Data) != "data a" || x.recs[0].DataTid != 0 {
		t.Errorf("iterate: records %+v", x.recs)
	}
	hist, err := w.History(bg, a, zodb.TidMax, 10)
	if err != nil || len(hist) != 1 || hist[0].Tid != tid || hist[0].Size != 6 ||
		!bytes.Equal(hist[0].User, meta.User) || !bytes.Equal(hist[0].Description, meta.Description) {
		t.Errorf("history: %+v %v", hist, err)
	}
}

func checkUpdate(t *testing.T, w zodb.Writer) {
	a := newOid(t, w)
	t1 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("v1")})
	t2 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, serial: t1, data: []byte("version 2")})
	wantLoad(t, w, a, t1, []byte("v1"), t1)
	wantLoad(t, w, a, t2, []byte("version 2"), t2)
	wantLoad(t, w, a, t2-1, []byte("v1"), t1)
	hist, err := w.History(bg, a, zodb.TidMax, 10)
	if err != nil || len(hist) != 2 || hist[0].Tid != t2 || hist[1].Tid != t1 || hist[0].Size != 9 {
		t.Errorf("history: %+v %v", hist, err)
	}
}

func checkDelete(t *testing.T, w zodb.Writer) {
	a := newOid(t, w)
	t1 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("v1")})
	t2 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, serial: t1})
	_, _, err := w.Load(bg, zodb.Xid{At: t2, Oid: a})
	var nd *zodb.NoDataError
	if !errors.As(err, &nd) || nd.DeletedAt != t2 {
		t.Errorf("load of a deleted object: %v", err)
	}
	wantLoad(t, w, a, t1, []byte("v1"), t1)
	txns := readAll(t, w, t2, t2, &ReadOptions{})
	if len(txns) != 1 || len(txns[0].recs) != 1 || txns[0].recs[0].Data != nil {
		t.Errorf("iterate the deletion: %+v", txns)
	}
	// An object that never existed cannot be deleted.
	if _, err := tryCommit(w, zodb.TxnMeta{}, rec{oid: newOid(t, w)}); err == nil {
		t.Error("deleted an object that does not exist")
	}
	if h := w.Head(); h != t2 {
		t.Errorf("head %s after a failed delete, want %s", h, t2)
	}
}

func checkEmptyTxn(t *testing.T, w zodb.Writer) {
	tid := commit(t, w, zodb.TxnMeta{Description: []byte("nothing")})
	txns := readAll(t, w, 0, zodb.TidMax, &ReadOptions{})
	if len(txns) != 1 || txns[0].info.Tid != tid || len(txns[0].recs) != 0 {
		t.Errorf("iterate: %+v, want one empty transaction %s", txns, tid)
	}
}

// wantConflict checks that err is a conflict on oid as described.
func wantConflict(t *testing.T, err error, oid zodb.Oid, committed, based zodb.Tid, read bool) {
	t.Helper()
	var ce *zodb.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a conflict", err)
	}
	want := zodb.ConflictError{Oid: oid, Committed: committed, Based: based, Read: read}
	if *ce != want {
		t.Errorf("conflict %+v, want %+v", *ce, want)
	}
}

// storeVote stores recs in txn and votes: the error of the first step
// that fails, a conflict being reported at either.
func storeVote(txn zodb.Txn, recs ...rec) error {
	for _, r := range recs {
		if err := txn.Store(bg, r.oid, r.serial, r.data); err != nil {
			return err
		}
	}
	return txn.Vote(bg)
}

func checkWriteConflict(t *testing.T, w zodb.Writer, opt *WriteOptions) {
	a := newOid(t, w)
	t0 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("v0")})
	late, err := w.Begin(bg, zodb.TxnMeta{})
	if err != nil {
		t.Fatal(err)
	}
	t1 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, serial: t0, data: []byte("v1")})
	err = storeVote(late, rec{oid: a, serial: t0, data: []byte("late")})
	late.Abort()
	wantConflict(t, err, a, t1, t0, false)
	if h := w.Head(); h != t1 {
		t.Errorf("head %s, want %s", h, t1)
	}
	wantLoad(t, w, a, zodb.TidMax, []byte("v1"), t1)

	// The conflict is found at Vote too when the other transaction
	// commits after the store.
	txn, _ := w.Begin(bg, zodb.TxnMeta{})
	if err := txn.Store(bg, a, t1, []byte("mine")); err != nil {
		t.Fatal(err)
	}
	t2 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, serial: t1, data: []byte("theirs")})
	err = txn.Vote(bg)
	txn.Abort()
	wantConflict(t, err, a, t2, t1, false)
	// A new object based on a revision conflicts with its absence.
	if !opt.NoAbsentConflict {
		b := newOid(t, w)
		_, err = tryCommit(w, zodb.TxnMeta{}, rec{oid: b, serial: t2, data: []byte("x")})
		wantConflict(t, err, b, 0, t2, false)
	}
	wantLoad(t, w, a, zodb.TidMax, []byte("theirs"), t2)
}

func checkReadConflict(t *testing.T, w zodb.Writer) {
	a, b := newOid(t, w), newOid(t, w)
	t0 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("a0")}, rec{oid: b, data: []byte("b0")})

	// Unchanged: the check passes.
	txn, _ := w.Begin(bg, zodb.TxnMeta{})
	if err := txn.CheckCurrent(bg, b, t0); err != nil {
		t.Fatal(err)
	}
	if err := storeVote(txn, rec{oid: a, serial: t0, data: []byte("a1")}); err != nil {
		t.Fatal(err)
	}
	t1, err := txn.Finish(bg)
	if err != nil {
		t.Fatal(err)
	}

	// b changes after the check: Vote fails.
	txn, _ = w.Begin(bg, zodb.TxnMeta{})
	if err := txn.CheckCurrent(bg, b, t0); err != nil {
		t.Fatal(err)
	}
	t2 := commit(t, w, zodb.TxnMeta{}, rec{oid: b, serial: t0, data: []byte("b2")})
	err = storeVote(txn, rec{oid: a, serial: t1, data: []byte("a3")})
	txn.Abort()
	wantConflict(t, err, b, t2, t0, true)
	wantLoad(t, w, a, zodb.TidMax, []byte("a1"), t1)

	// A check of a revision already replaced fails at once or at Vote.
	txn, _ = w.Begin(bg, zodb.TxnMeta{})
	err = txn.CheckCurrent(bg, b, t0)
	if err == nil {
		err = txn.Vote(bg)
	}
	txn.Abort()
	wantConflict(t, err, b, t2, t0, true)
}

func checkAbort(t *testing.T, w zodb.Writer) {
	a := newOid(t, w)
	t0 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("v0")})
	for _, voted := range []bool{false, true} {
		txn, _ := w.Begin(bg, zodb.TxnMeta{})
		if err := txn.Store(bg, a, t0, []byte("dropped")); err != nil {
			t.Fatal(err)
		}
		if voted {
			if err := txn.Vote(bg); err != nil {
				t.Fatal(err)
			}
		}
		txn.Abort()
		txn.Abort()
		if _, err := txn.Finish(bg); err == nil {
			t.Errorf("voted %v: Finish after Abort succeeded", voted)
		}
		if h := w.Head(); h != t0 {
			t.Errorf("voted %v: head %s after abort, want %s", voted, h, t0)
		}
		wantLoad(t, w, a, zodb.TidMax, []byte("v0"), t0)
		if txns := readAll(t, w, 0, zodb.TidMax, &ReadOptions{}); len(txns) != 1 {
			t.Errorf("voted %v: %d transactions after abort, want 1", voted, len(txns))
		}
	}
	// The storage goes on.
	t1 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, serial: t0, data: []byte("v1")})
	if t1 <= t0 {
		t.Errorf("tid %s after %s", t1, t0)
	}
	if txns := readAll(t, w, 0, zodb.TidMax, &ReadOptions{}); len(txns) != 2 {
		t.Errorf("%d transactions, want 2", len(txns))
	}
}

// restoreRec is one record of a restored transaction.
type restoreRec struct {
	oid     zodb.Oid
	data    []byte
	dataTid zodb.Tid
}

// restore copies one transaction with BeginRestore.
func restore(t *testing.T, w zodb.Writer, info zodb.TxnInfo, recs ...restoreRec) {
	t.Helper()
	txn, err := w.BeginRestore(bg, &info)
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Abort()
	for _, r := range recs {
		if err := txn.Restore(bg, r.oid, r.data, r.dataTid); err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Vote(bg); err != nil {
		t.Fatal(err)
	}
	if err := txn.Finish(bg); err != nil {
		t.Fatal(err)
	}
}

// restoreTids returns n increasing tids after the head, a few seconds
// apart.
func restoreTids(w zodb.Writer, n int) []zodb.Tid {
	tids := make([]zodb.Tid, n)
	tid := max(w.Head(), zodb.Tid(0x0300000000000000))
	for i := range tids {
		tid += 1 << 32 // a minute
		tids[i] = tid
	}
	return tids
}

func checkRestore(t *testing.T, w zodb.Writer, opt *WriteOptions) {
	tids := restoreTids(w, 5)
	const x, y, z = zodb.Oid(1), zodb.Oid(2), zodb.Oid(3)
	meta := zodb.TxnInfo{User: []byte("copied"), Description: []byte("from elsewhere"), Extension: []byte("}q\x00.")}
	info := func(i int, st zodb.TxnStatus) zodb.TxnInfo {
		m := meta
		m.Tid, m.Status = tids[i], st
		return m
	}
	restore(t, w, info(0, zodb.TxnPacked), restoreRec{oid: x, data: []byte("x1")}, restoreRec{oid: y, data: []byte("y1")})
	restore(t, w, info(1, zodb.TxnComplete), restoreRec{oid: x, data: []byte("x2")}, restoreRec{oid: y})
	// An undo: x back to its first revision, y undeleted, z created
	// and undone at once (a deletion of what never was).
	restore(t, w, info(2, zodb.TxnComplete),
		restoreRec{oid: x, data: []byte("x1"), dataTid: tids[0]},
		restoreRec{oid: y, dataTid: tids[0]},
		restoreRec{oid: z})
	// An undo to a deletion.
	restore(t, w, info(3, zodb.TxnComplete), restoreRec{oid: y, dataTid: tids[1]})
	if h := w.Head(); h != tids[3] {
		t.Errorf("head %s, want %s", h, tids[3])
	}
	txns := readAll(t, w, 0, zodb.TidMax, &ReadOptions{})
	if len(txns) != 4 {
		t.Fatalf("%d transactions, want 4", len(txns))
	}
	for i, x := range txns {
		st := zodb.TxnComplete
		if i == 0 && !opt.NoStatus {
			st = zodb.TxnPacked
		}
		if x.info.Tid != tids[i] || x.info.Status != st || !bytes.Equal(x.info.User, meta.User) ||
			!bytes.Equal(x.info.Description, meta.Description) || !bytes.Equal(x.info.Extension, meta.Extension) {
			t.Errorf("transaction %d: %+v", i, x.info)
		}
	}
	wantRecs := [][]string{
		{"1 x1 0", "2 y1 0"},
		{"1 x2 0", "2 <nil> 0"},
		{fmt.Sprintf("1 x1 %s", tids[0]), fmt.Sprintf("2 y1 %s", tids[0]), "3 <nil> 0"},
		{fmt.Sprintf("2 <nil> %s", tids[1])},
	}
	for i, x := range txns {
		var got []string
		for _, r := range x.recs {
			d := "<nil>"
			if r.Data != nil {
				d = string(r.Data)
			}
			got = append(got, fmt.Sprintf("%d %s %s", r.Oid, d, fmtTid(r.DataTid)))
		}
		if fmt.Sprint(got) != fmt.Sprint(wantRecs[i]) {
			t.Errorf("transaction %d: records %q, want %q", i, got, wantRecs[i])
		}
	}
	wantLoad(t, w, x, tids[2], []byte("x1"), tids[2])
	wantLoad(t, w, y, tids[2], []byte("y1"), tids[2])
	wantNoData(t, w, y, tids[3])
	wantNoData(t, w, z, tids[2])
}

func fmtTid(tid zodb.Tid) string {
	if tid == 0 {
		return "0"
	}
	return tid.String()
}

func checkRestoreOrder(t *testing.T, w zodb.Writer) {
	tids := restoreTids(w, 2)
	restore(t, w, zodb.TxnInfo{Tid: tids[1]}, restoreRec{oid: 1, data: []byte("x")})
	for _, tid := range []zodb.Tid{tids[0], tids[1]} {
		txn, err := w.BeginRestore(bg, &zodb.TxnInfo{Tid: tid})
		if err == nil {
			err = txn.Vote(bg)
			txn.Abort()
		}
		if !errors.Is(err, zodb.ErrTidOrder) {
			t.Errorf("restore %s after %s: %v, want ErrTidOrder", tid, tids[1], err)
		}
	}
	// Two restores racing for the same tid: the second fails at Vote.
	tid := tids[1] + 1<<32
	a, err := w.BeginRestore(bg, &zodb.TxnInfo{Tid: tid})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abort()
	restore(t, w, zodb.TxnInfo{Tid: tid}, restoreRec{oid: 1, data: []byte("y")})
	if err := a.Vote(bg); !errors.Is(err, zodb.ErrTidOrder) {
		t.Errorf("second restore of %s: %v, want ErrTidOrder", tid, err)
	}
	if h := w.Head(); h != tid {
		t.Errorf("head %s, want %s", h, tid)
	}
}
