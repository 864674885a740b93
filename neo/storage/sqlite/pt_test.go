package sqlite

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
)

// ptRows returns pt as NEO/py's dump shows it: partition, nid, tid, pack.
func ptRows(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.sql.Query("SELECT partition, nid, tid, pack FROM pt ORDER BY partition, nid")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var r []string
	for rows.Next() {
		var p, n, tid int64
		var pack *int64
		rows.Scan(&p, &n, &tid, &pack)
		if pack == nil {
			r = append(r, fmt.Sprintf("%d,%d,%d,NULL", p, n, tid))
		} else {
			r = append(r, fmt.Sprintf("%d,%d,%d,%d", p, n, tid, *pack))
		}
	}
	return r
}

func TestPartitionTable(t *testing.T) {
	db, _ := newTestDB(t, 2, Options{})
	// Two replicas, as s4's databases: own cells have a pack id, others not.
	if err := db.SetPartitionTable(fullPT(2, 2, 1, 1, 2), 1); err != nil {
		t.Fatal(err)
	}
	want := []string{"0,1,-1,0", "0,2,-1,NULL", "1,1,-1,0", "1,2,-1,NULL"}
	if got := ptRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("pt %v, want %v", got, want)
	}
	commitTxn(t, db, 10, 10, rec{oid: 0, data: []byte("p0")}, rec{oid: 1, data: []byte("p1")})
	commitTxn(t, db, 21, 21, rec{oid: 1, data: []byte("p1 again")})

	// Own cell 1 out of date: it keeps the last tid it holds; node 2's
	// cell 0 out of date: 0 (minus the state); node 2's cell 1 goes.
	err := db.ChangePartitionTable(3, 1, []proto.CellChange{
		{Partition: 1, NID: 1, State: proto.OutOfDate},
		{Partition: 0, NID: 2, State: proto.OutOfDate},
		{Partition: 1, NID: 2, State: proto.Discarded},
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"0,1,-1,0", "0,2,0,NULL", "1,1,21,0"}
	if got := ptRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("pt %v, want %v", got, want)
	}
	pt, err := db.PartitionTable()
	if err != nil || pt.PTid != 3 || pt.NumReplicas != 1 || pt.NumPartitions != 2 ||
		!slices.Equal(pt.Cells, []backend.Cell{
			{Partition: 0, NID: 1, State: proto.UpToDate},
			{Partition: 0, NID: 2, State: proto.OutOfDate},
			{Partition: 1, NID: 1, State: proto.OutOfDate, Tid: 21},
		}) {
		t.Fatalf("pt %+v %v", pt, err)
	}
	// Only readable partitions count for the last ids.
	if last, oid, _, _ := db.LastIDs(); last != 10 || oid != 0 {
		t.Errorf("last ids with partition 1 out of date: %s %s", last, oid)
	}
	// Feeding is readable again; corrupted is kept as -3.
	db.ChangePartitionTable(4, 1, []proto.CellChange{{Partition: 1, NID: 1, State: proto.Feeding},
		{Partition: 0, NID: 2, State: proto.Corrupted}}, 1)
	want = []string{"0,1,-1,0", "0,2,-3,NULL", "1,1,-2,0"}
	if got := ptRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("pt %v, want %v", got, want)
	}
	if last, _, _, _ := db.LastIDs(); last != 21 {
		t.Errorf("last tid with partition 1 feeding: %s", last)
	}

	// Own partition 1 discarded: its rows and data go.
	if err := db.ChangePartitionTable(5, 1, []proto.CellChange{{Partition: 1, NID: 1, State: proto.Discarded}}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Object(1, 0x15, proto.NoTid); !errors.Is(err, backend.ErrOidDoesNotExist) {
		t.Errorf("object of a dropped partition: %v", err)
	}
	if n := countRows(t, db, "data"); n != 1 {
		t.Errorf("data rows after drop: %d", n)
	}
	if o, err := db.Object(0, proto.NoTid, proto.NoTid); err != nil || string(o.Data) != "p0" {
		t.Errorf("object of a kept partition: %+v %v", o, err)
	}

	// A new NID takes the old one's cells.
	if err := db.SetNID(7); err != nil {
		t.Fatal(err)
	}
	want = []string{"0,2,-3,NULL", "0,7,-1,0"}
	if got := ptRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("pt after SetNID %v, want %v", got, want)
	}
	if nid, _ := db.NID(); nid != 7 {
		t.Errorf("nid %v", nid)
	}
}

// TestSetPartitionTableDrops: a whole new table without some of this
// node's partitions drops them (reset).
func TestSetPartitionTableDrops(t *testing.T) {
	db, _ := newTestDB(t, 2, Options{})
	commitTxn(t, db, 10, 10, rec{oid: 0, data: []byte("p0")}, rec{oid: 1, data: []byte("p1")})
	pt := fullPT(9, 2, 0, 2)
	pt.Cells = append(pt.Cells, backend.Cell{Partition: 0, NID: 1, State: proto.UpToDate})
	if err := db.SetPartitionTable(pt, 1); err != nil {
		t.Fatal(err)
	}
	want := []string{"0,1,-1,0", "0,2,-1,NULL", "1,2,-1,NULL"}
	if got := ptRows(t, db); !slices.Equal(got, want) {
		t.Fatalf("pt %v, want %v", got, want)
	}
	if n := countRows(t, db, "obj"); n != 1 {
		t.Errorf("obj rows: %d", n)
	}
	if n := countRows(t, db, "trans"); n != 1 { // tid 10 is in partition 0: kept
		t.Errorf("trans rows: %d", n)
	}
}
