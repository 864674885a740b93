package sqlite

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

func TestCommitAndLoad(t *testing.T) {
	db, path := newTestDB(t, 4, Options{})
	commitTxn(t, db, 10, 11, rec{oid: 0, data: []byte("root v1")}, rec{oid: 1, data: []byte("obj1 v1")})
	commitTxn(t, db, 20, 23, rec{oid: 1, data: []byte("obj1 v2")})
	commitTxn(t, db, 30, 31, rec{oid: 1}) // deletion
	commitTxn(t, db, 40, 43, rec{oid: 1, undo: 23})

	check := func(db *DB) {
		t.Helper()
		o, err := db.Object(0, proto.NoTid, proto.NoTid)
		if err != nil || string(o.Data) != "root v1" || o.Serial != 11 || o.NextSerial != proto.NoTid ||
			o.Checksum != sha1.Sum([]byte("root v1")) || o.DataSerial != proto.NoTid {
			t.Fatalf("current 0: %+v %v", o, err)
		}
		o, err = db.Object(1, 23, proto.NoTid)
		if err != nil || string(o.Data) != "obj1 v2" || o.Serial != 23 || o.NextSerial != 31 {
			t.Fatalf("1@23: %+v %v", o, err)
		}
		o, err = db.Object(1, proto.NoTid, 23)
		if err != nil || string(o.Data) != "obj1 v1" || o.Serial != 11 || o.NextSerial != 23 {
			t.Fatalf("1 before 23: %+v %v", o, err)
		}
		o, err = db.Object(1, 31, proto.NoTid)
		if err != nil || len(o.Data) != 0 || o.Checksum != backend.ZeroHash || o.NextSerial != 43 {
			t.Fatalf("1@31 (deleted): %+v %v", o, err)
		}
		o, err = db.Object(1, proto.NoTid, proto.NoTid)
		if err != nil || string(o.Data) != "obj1 v2" || o.Serial != 43 || o.DataSerial != 23 {
			t.Fatalf("1 current (undo): %+v %v", o, err)
		}
		if _, err := db.Object(1, 12, proto.NoTid); !errors.Is(err, backend.ErrOidNotFound) {
			t.Fatalf("1@12: %v", err)
		}
		if _, err := db.Object(1, proto.NoTid, 11); !errors.Is(err, backend.ErrOidNotFound) {
			t.Fatalf("1 before 11: %v", err)
		}
		if _, err := db.Object(7, proto.NoTid, proto.NoTid); !errors.Is(err, backend.ErrOidDoesNotExist) {
			t.Fatalf("7: %v", err)
		}
		if _, err := db.Object(7, 11, proto.NoTid); !errors.Is(err, backend.ErrOidDoesNotExist) {
			t.Fatalf("7@11: %v", err)
		}
		txn, err := db.Transaction(11, false)
		if err != nil || txn.Tid != 11 || txn.TTid != 10 || string(txn.User) != "user" ||
			!slices.Equal(txn.Oids, []zodb.Oid{0, 1}) || txn.Packed {
			t.Fatalf("txn 11: %+v %v", txn, err)
		}
		if _, err := db.Transaction(12, true); !errors.Is(err, backend.ErrTidNotFound) {
			t.Fatalf("txn 12: %v", err)
		}
		h, err := db.History(1, 0, 10)
		want := []proto.HistoryEntry{{Serial: 43, Size: 7}, {Serial: 31, Size: 0}, {Serial: 23, Size: 7}, {Serial: 11, Size: 7}}
		if err != nil || !slices.Equal(h, want) {
			t.Fatalf("history: %v %v", h, err)
		}
		if h, _ := db.History(1, 1, 2); !slices.Equal(h, want[1:3]) {
			t.Fatalf("history 1,2: %v", h)
		}
		last, lastOid, first, err := db.LastIDs()
		if err != nil || last != 43 || lastOid != 1 || first != 11 {
			t.Fatalf("last ids: %v %v %v %v", last, lastOid, first, err)
		}
		tids, err := db.TIDList(0, 10, []uint32{0, 1, 2, 3})
		if err != nil || !slices.Equal(tids, []zodb.Tid{43, 31, 23, 11}) {
			t.Fatalf("tid list: %v %v", tids, err)
		}
		tids, err = db.TIDsFrom(12, 50, 2, []uint32{0, 1, 2, 3})
		if err != nil || !slices.Equal(tids, []zodb.Tid{23, 31}) {
			t.Fatalf("tids from: %v %v", tids, err)
		}
		if tid, err := db.LastObjectTid(1); tid != 43 || err != nil {
			t.Fatalf("last object tid: %v %v", tid, err)
		}
		if tid, err := db.LastObjectTid(2); tid != proto.NoTid || err != nil {
			t.Fatalf("last object tid of 2: %v %v", tid, err)
		}
	}
	check(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Closed, the file alone holds everything (the WAL was checkpointed
	// and removed): it can be copied or opened by NEO/py as it is.
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after close: %v", suffix, err)
		}
	}
	// And in SQLite's default journal mode again, as NEO/py leaves it
	// (header bytes 18 and 19: 1 for rollback journal, 2 for WAL).
	head := make([]byte, 20)
	if f, err := os.Open(path); err == nil {
		f.Read(head)
		f.Close()
	}
	if head[18] != 1 || head[19] != 1 {
		t.Errorf("file format bytes %d %d after close, want 1 1", head[18], head[19])
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(db)
}

func TestOidsFrom(t *testing.T) {
	db, _ := newTestDB(t, 2, Options{})
	commitTxn(t, db, 10, 10, rec{oid: 0, data: []byte("a")}, rec{oid: 2, data: []byte("b")},
		rec{oid: 4, data: []byte("c")}, rec{oid: 6, data: []byte("d")}, rec{oid: 1, data: []byte("e")})
	commitTxn(t, db, 20, 20, rec{oid: 2}, rec{oid: 8, data: []byte("f")})
	next, oids, err := db.OidsFrom(0, 2, 0, 15)
	if err != nil || next != 4 || !slices.Equal(oids, []zodb.Oid{0, 2}) {
		t.Fatalf("%v %v %v", next, oids, err)
	}
	next, oids, err = db.OidsFrom(0, 2, 0, 20) // 2 deleted at 20
	if err != nil || next != 4 || !slices.Equal(oids, []zodb.Oid{0}) {
		t.Fatalf("%v %v %v", next, oids, err)
	}
	next, oids, err = db.OidsFrom(0, 10, 4, 20)
	if err != nil || next != proto.NoOid || !slices.Equal(oids, []zodb.Oid{4, 6, 8}) {
		t.Fatalf("%v %v %v", next, oids, err)
	}
}

func TestAbortPrunesData(t *testing.T) {
	db, _ := newTestDB(t, 1, Options{})
	commitTxn(t, db, 10, 10, rec{oid: 0, data: []byte("kept")})
	objs, oids := storeRecs(t, db, []rec{{oid: 0, data: []byte("aborted")}})
	if err := db.StoreTransaction(20, objs, &backend.Txn{Oids: oids}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	if m, err := db.LockedTransactions(); err != nil || len(m) != 1 || m[20] != proto.NoTid {
		t.Fatalf("locked: %v %v", m, err)
	}
	if err := db.AbortTransaction(20); err != nil {
		t.Fatal(err)
	}
	// As NEO/py, the node releases what it stored after the abort.
	if n := countRows(t, db, "data"); n != 2 {
		t.Fatalf("data rows after abort: %d", n)
	}
	if err := db.ReleaseData([]int64{objs[0].DataID}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, "data"); n != 1 {
		t.Fatalf("data rows after release: %d", n)
	}
	if m, _ := db.LockedTransactions(); len(m) != 0 {
		t.Fatalf("locked after abort: %v", m)
	}
	// Aborted before the vote: the node releases what it stored.
	id, err := db.StoreData(sha1.Sum([]byte("x")), 0, []byte("x"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReleaseData([]int64{id}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, "data"); n != 1 {
		t.Fatalf("data rows after release: %d", n)
	}
}

// TestDedupHeld: with dedup, data two transactions share survives the
// abort of one.
func TestDedupHeld(t *testing.T) {
	db, _ := newTestDB(t, 1, Options{Dedup: true})
	objsA, oidsA := storeRecs(t, db, []rec{{oid: 0, data: []byte("shared")}})
	objsB, oidsB := storeRecs(t, db, []rec{{oid: 1, data: []byte("shared")}})
	if objsA[0].DataID != objsB[0].DataID {
		t.Fatalf("not deduplicated: %v %v", objsA, objsB)
	}
	if err := db.StoreTransaction(10, objsA, &backend.Txn{Oids: oidsA}); err != nil {
		t.Fatal(err)
	}
	if err := db.AbortTransaction(10); err != nil {
		t.Fatal(err)
	}
	if err := db.ReleaseData([]int64{objsA[0].DataID}); err != nil {
		t.Fatal(err)
	}
	if err := db.StoreTransaction(20, objsB, &backend.Txn{Oids: oidsB}); err != nil {
		t.Fatal(err)
	}
	if err := db.LockTransaction(20, 20); err != nil {
		t.Fatal(err)
	}
	if err := db.UnlockTransaction(20, 20); err != nil {
		t.Fatal(err)
	}
	if o, err := db.Object(1, proto.NoTid, proto.NoTid); err != nil || string(o.Data) != "shared" {
		t.Fatalf("%+v %v", o, err)
	}
}

func TestDedup(t *testing.T) {
	db, _ := newTestDB(t, 2, Options{Dedup: true})
	d := []byte("same")
	a, err := db.StoreData(sha1.Sum(d), 0, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.StoreData(sha1.Sum(d), 0, d, 1)
	if err != nil || a != b {
		t.Fatalf("dedup: %d %d %v", a, b, err)
	}
	if _, err := db.StoreData(sha1.Sum(d), 0, []byte("other"), 1); err == nil {
		t.Fatal("collision not detected")
	}
	c, err := db.StoreData(sha1.Sum(d), 1, d, 1)
	if err != nil || c == a || c != 1<<48 {
		t.Fatalf("other compression: %d %v", c, err)
	}
}

func TestDataIDs(t *testing.T) {
	db, _ := newTestDB(t, 4, Options{})
	for i, want := range []int64{0, 1 << 48, 2 << 48, 3 << 48, 1, 1<<48 + 1} {
		oid := zodb.Oid(i)
		id, err := db.StoreData(sha1.Sum([]byte{byte(i)}), 0, []byte{byte(i)}, oid)
		if err != nil || id != want {
			t.Fatalf("oid %d: id %d, want %d (%v)", i, id, want, err)
		}
	}
}

func TestLockedSurvivesReopen(t *testing.T) {
	db, path := newTestDB(t, 1, Options{})
	objs, oids := storeRecs(t, db, []rec{{oid: 0, data: []byte("locked")}})
	if err := db.StoreTransaction(5, objs, &backend.Txn{Oids: oids}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.LockTransaction(7, 5); err != nil {
		t.Fatal(err)
	}
	objs, oids = storeRecs(t, db, []rec{{oid: 1, data: []byte("voted")}})
	if err := db.StoreTransaction(6, objs, &backend.Txn{Oids: oids}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := db.LockedTransactions()
	if err != nil || len(m) != 2 || m[5] != 7 || m[6] != proto.NoTid {
		t.Fatalf("locked: %v %v", m, err)
	}
	if txn, err := db.Transaction(7, true); err != nil || txn.TTid != 5 {
		t.Fatalf("locked txn: %+v %v", txn, err)
	}
	if err := db.DropUnfinished(); err != nil {
		t.Fatal(err)
	}
	if m, _ := db.LockedTransactions(); len(m) != 1 || m[5] != 7 {
		t.Fatalf("after drop: %v", m)
	}
	if n := countRows(t, db, "data"); n != 1 {
		t.Fatalf("data rows after drop: %d", n)
	}
	if err := db.UnlockTransaction(7, 5); err != nil {
		t.Fatal(err)
	}
	if o, err := db.Object(0, proto.NoTid, proto.NoTid); err != nil || !bytes.Equal(o.Data, []byte("locked")) {
		t.Fatalf("%+v %v", o, err)
	}
}

func countRows(t testing.TB, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFinalTID(t *testing.T) {
	db, _ := newTestDB(t, 4, Options{})
	commitTxn(t, db, 0x101, 0x105, rec{oid: 0, data: []byte("a")})
	commitTxn(t, db, 0x102, 0x10a, rec{oid: 0, data: []byte("b")})
	for ttid, want := range map[zodb.Tid]zodb.Tid{0x101: 0x105, 0x102: 0x10a, 0x103: proto.NoTid} {
		if tid, err := db.FinalTID(ttid); err != nil || tid != want {
			t.Errorf("final tid of %s: %s %v, want %s", ttid, tid, err, want)
		}
	}
}

func TestUndoPack(t *testing.T) {
	db, _ := newTestDB(t, 1, Options{})
	objs, _ := storeRecs(t, db, []rec{{oid: 0, undo: 7}})
	if err := db.StoreTransaction(10, objs, nil); !errors.Is(err, ErrUndoPack) {
		t.Fatalf("undo to a missing revision: %v", err)
	}
}

// TestEmptyRecord: a revision whose data is empty (not a deletion) keeps
// its checksum and loads as empty data.
func TestEmptyRecord(t *testing.T) {
	db, _ := newTestDB(t, 1, Options{})
	commitTxn(t, db, 1, 1, rec{oid: 0, data: []byte{}})
	o, err := db.Object(0, proto.NoTid, proto.NoTid)
	if err != nil || len(o.Data) != 0 || o.Checksum != sha1.Sum(nil) {
		t.Fatalf("%+v %v", o, err)
	}
	if h, err := db.History(0, -1, 0); err != nil || len(h) != 0 {
		t.Fatalf("history with no length: %v %v", h, err)
	}
}

func TestConfig(t *testing.T) {
	db, path := newTestDB(t, 1, Options{})
	v := "value"
	if err := db.SetConfig("k", &v); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := db.Config("k"); got != "value" || !ok || err != nil {
		t.Fatalf("%q %v %v", got, ok, err)
	}
	if err := db.SetConfig("k", nil); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := db.Config("k"); got != "" || ok || err != nil {
		t.Fatalf("deleted: %q %v %v", got, ok, err)
	}
	if n, _ := db.Name(); n != "test" {
		t.Errorf("name %q", n)
	}
	bad := "S1"
	db.SetConfig("nid", &bad)
	if _, err := db.NID(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("invalid nid: %v", err)
	}
	db.Close()
	if _, _, err := db.Config("k"); !errors.Is(err, errClosed) {
		t.Errorf("after close: %v", err)
	}
	if err := db.Commit(); !errors.Is(err, errClosed) {
		t.Errorf("commit after close: %v", err)
	}
}
