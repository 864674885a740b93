package sqlite

import (
	"crypto/sha1"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

const testNID proto.NID = 1

// newTestDB opens a fresh database with np partitions all UP_TO_DATE on
// testNID, and closes it at the end of the test.
func newTestDB(t testing.TB, np uint32, opt Options) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "neo.sqlite")
	db, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SetName("test"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNID(testNID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPartitionTable(fullPT(1, np, 0, testNID), testNID); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// fullPT is a table of np partitions with every listed node UP_TO_DATE.
func fullPT(ptid proto.PTid, np, nr uint32, nids ...proto.NID) *backend.PartitionTable {
	pt := &backend.PartitionTable{PTid: ptid, NumReplicas: nr, NumPartitions: np}
	for p := uint32(0); p < np; p++ {
		for _, n := range nids {
			pt.Cells = append(pt.Cells, backend.Cell{Partition: p, NID: n, State: proto.UpToDate})
		}
	}
	return pt
}

// rec is one object revision a test commits.
type rec struct {
	oid  zodb.Oid
	data []byte // nil: deletion
	undo zodb.Tid
}

// commitTxn runs the whole commit of one transaction as a storage node
// does: store data, vote (StoreTransaction + Commit), lock, unlock.
func commitTxn(t testing.TB, db *DB, ttid, tid zodb.Tid, recs ...rec) {
	t.Helper()
	objs, oids := storeRecs(t, db, recs)
	txn := &backend.Txn{User: []byte("user"), Description: []byte("desc"), Oids: oids}
	if err := db.StoreTransaction(ttid, objs, txn); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.LockTransaction(tid, ttid); err != nil {
		t.Fatal(err)
	}
	if err := db.UnlockTransaction(tid, ttid); err != nil {
		t.Fatal(err)
	}
}

func storeRecs(t testing.TB, db *DB, recs []rec) ([]backend.TempObject, []zodb.Oid) {
	t.Helper()
	var objs []backend.TempObject
	var oids []zodb.Oid
	for _, r := range recs {
		o := backend.TempObject{Oid: r.oid, DataID: backend.NoData, ValueTid: proto.NoTid}
		if r.undo != 0 {
			o.ValueTid = r.undo
		} else if r.data != nil {
			id, err := db.StoreData(sha1.Sum(r.data), 0, r.data, r.oid)
			if err != nil {
				t.Fatal(err)
			}
			o.DataID = id
		}
		objs = append(objs, o)
		oids = append(oids, r.oid)
	}
	return objs, oids
}
