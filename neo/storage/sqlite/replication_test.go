package sqlite

import (
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/neo/storage/backend"
)

func TestReplicationObjects(t *testing.T) {
	db, _ := newTestDB(t, 2, Options{})
	commitTxn(t, db, 10, 10, rec{oid: 0, data: []byte("a")}, rec{oid: 2, data: []byte("b")}, rec{oid: 4, data: []byte("c")})
	commitTxn(t, db, 20, 20, rec{oid: 2, data: []byte("d")}, rec{oid: 1, data: []byte("e")})
	commitTxn(t, db, 30, 30, rec{oid: 0})
	refs, err := db.ReplicationObjects(0, 10, 30, 2, 3)
	want := []backend.ObjectRef{{Serial: 10, Oid: 2}, {Serial: 10, Oid: 4}, {Serial: 20, Oid: 2}}
	if err != nil || !slices.Equal(refs, want) {
		t.Fatalf("%v %v, want %v", refs, err, want)
	}
	refs, err = db.ReplicationObjects(0, 20, 30, 0, 10)
	want = []backend.ObjectRef{{Serial: 20, Oid: 2}, {Serial: 30, Oid: 0}}
	if err != nil || !slices.Equal(refs, want) {
		t.Fatalf("%v %v, want %v", refs, err, want)
	}
	if refs, err := db.ReplicationObjects(0, 30, 20, 0, 10); err != nil || len(refs) != 0 {
		t.Fatalf("empty range: %v %v", refs, err)
	}
}
