package sqlite

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
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

// TestReplicate copies every row of small.fs's database into another as a
// replicating node does, and both serve the same revisions.
func TestReplicate(t *testing.T) {
	src, _ := newTestDB(t, 2, Options{})
	tids := convertFS(t, src, smallFS)
	dst, _ := newTestDB(t, 2, Options{})
	for p := uint32(0); p < 2; p++ {
		for _, tid := range tids {
			txn, err := src.Transaction(tid, false)
			if errors.Is(err, backend.ErrTidNotFound) {
				continue // in the other partition
			}
			if err != nil {
				t.Fatal(err)
			}
			if uint64(tid)%2 == uint64(p) {
				if err := dst.PutTransaction(tid, txn); err != nil {
					t.Fatal(err)
				}
			}
		}
		refs, err := src.ReplicationObjects(p, 0, proto.MaxTid, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range refs {
			o, err := src.Object(ref.Oid, ref.Serial, proto.NoTid)
			if err != nil {
				t.Fatal(err)
			}
			// A record with a backpointer is sent without data.
			hasData := o.Checksum != backend.ZeroHash && o.DataSerial == proto.NoTid
			if err := dst.PutObject(ref.Oid, ref.Serial, o.Compression, o.Checksum, o.Data, hasData, o.DataSerial); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := dst.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, tid := range tids {
		a, err1 := src.Transaction(tid, false)
		b, err2 := dst.Transaction(tid, false)
		if err1 != nil || err2 != nil || !slices.Equal(a.Oids, b.Oids) || !bytes.Equal(a.Description, b.Description) {
			t.Errorf("transaction %s: %+v %v / %+v %v", tid, a, err1, b, err2)
		}
		for oid := zodb.Oid(0); oid < 0x25; oid++ {
			a, err1 := src.Object(oid, proto.NoTid, tid+1)
			b, err2 := dst.Object(oid, proto.NoTid, tid+1)
			if !errors.Is(err2, err1) || err1 == nil && (a.Serial != b.Serial || !bytes.Equal(a.Data, b.Data) ||
				a.Checksum != b.Checksum || a.DataSerial != b.DataSerial || a.NextSerial != b.NextSerial) {
				t.Errorf("%s before %s: %+v %v / %+v %v", oid, tid+1, a, err1, b, err2)
			}
		}
	}
	// Deleting what the source no longer has.
	if err := dst.DeleteObject(3, tids[len(tids)-1]); err != nil {
		t.Fatal(err)
	}
	if err := dst.DeleteTransaction(tids[len(tids)-1]); err != nil {
		t.Fatal(err)
	}
	if err := dst.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Transaction(tids[len(tids)-1], false); !errors.Is(err, backend.ErrTidNotFound) {
		t.Errorf("deleted transaction: %v", err)
	}
	if o, err := dst.Object(3, proto.NoTid, proto.NoTid); err != nil || o.Serial == tids[len(tids)-1] {
		t.Errorf("deleted revision: %+v %v", o, err)
	}
}
