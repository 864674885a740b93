package cluster

import (
	"reflect"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

func TestPartitionTable(t *testing.T) {
	u, o := proto.UpToDate, proto.OutOfDate
	pt := FromRows(1, 1, [][]proto.CellInfo{{{NID: 1, State: u}, {NID: 2, State: u}}, {{NID: 2, State: u}}})
	if got := pt.OidPartition(5); got != 1 {
		t.Errorf("OidPartition(5) = %d", got)
	}
	// NotifyPartitionChanges: S1 out of date in 0, S1 added to 1, S2 dropped from 0.
	if err := pt.Update(2, 1, []proto.CellChange{{Partition: 0, NID: 1, State: o}, {Partition: 1, NID: 1, State: o}, {Partition: 0, NID: 2, State: proto.Discarded}}); err != nil {
		t.Fatal(err)
	}
	want := [][]proto.CellInfo{{{NID: 1, State: o}}, {{NID: 2, State: u}, {NID: 1, State: o}}}
	if !reflect.DeepEqual(pt.Rows, want) || pt.PTid != 2 {
		t.Fatalf("after update: ptid %d rows %v, want %v", pt.PTid, pt.Rows, want)
	}
	if pt.Operational(func(proto.NID) bool { return true }) {
		t.Error("operational without a readable cell in partition 0")
	}
	if got := pt.ReadablePartitions(2); !reflect.DeepEqual(got, []uint32{1}) {
		t.Errorf("ReadablePartitions(S2) = %v", got)
	}
	if got := pt.Assigned(1); !reflect.DeepEqual(got, []uint32{0, 1}) {
		t.Errorf("Assigned(S1) = %v", got)
	}
	// A change out of range leaves the table as it was.
	before := pt.Clone()
	if err := pt.Update(3, 1, []proto.CellChange{{Partition: 0, NID: 1, State: u}, {Partition: 7, NID: 1, State: u}}); err == nil || !reflect.DeepEqual(pt, before) {
		t.Errorf("bad change: err %v, table %v", err, pt.Rows)
	}
	pt.SetCell(0, 1, u)
	if !pt.Operational(func(n proto.NID) bool { return n == 1 || n == 2 }) {
		t.Error("not operational with a readable cell everywhere")
	}
	if pt.Operational(func(n proto.NID) bool { return n == 2 }) {
		t.Error("operational with S1 down")
	}
}

func TestParseMasters(t *testing.T) {
	got, err := ParseMasters("127.0.0.1:10000 [::1]:10001,localhost:1")
	if err != nil || !reflect.DeepEqual(got, []string{"127.0.0.1:10000", "[::1]:10001", "localhost:1"}) {
		t.Errorf("ParseMasters = %v, %v", got, err)
	}
	for _, bad := range []string{"", "127.0.0.1", "host:port", "h:70000"} {
		if _, err := ParseMasters(bad); err == nil {
			t.Errorf("ParseMasters(%q) accepted", bad)
		}
	}
}
