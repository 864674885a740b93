package master

import (
	"testing"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/zodb"
)

// Values computed by NEO/py's neo.lib.util.tidFromTime and addTID.
func TestTidFromTimeAsNEOpy(t *testing.T) {
	for _, tc := range []struct {
		t   float64
		tid zodb.Tid
	}{
		{0, 0x23c2b0000000000},
		{1795546536.3298514, 0x40d3c8f9b01e2bb},
		{1700000000.999999, 0x3f47f9559999955},
		{951782399.5, 0x332addffddddddd},
		{1234567890.123456, 0x37be9e38086d8cc},
	} {
		if got := cluster.TidFromUnix(tc.t); got != tc.tid {
			t.Errorf("tidFromTime(%v) = %#x, want %#x", tc.t, uint64(got), uint64(tc.tid))
		}
	}
	for _, tc := range []struct {
		tid  zodb.Tid
		off  uint64
		want zodb.Tid
	}{
		{0x40d4153071260ed, 1, 0x40d4153071260ee},
		{0x40d4153ffffffff, 1, 0x40d415400000000},
		{0x40d4153ffffffff, 0x100000005, 0x40d415500000004},
	} {
		if got := addTID(tc.tid, tc.off); got != tc.want {
			t.Errorf("addTID(%#x, %#x) = %#x, want %#x", uint64(tc.tid), tc.off, uint64(got), uint64(tc.want))
		}
	}
	if got := addSigned(0x040d415300000003, -5); got != 0x40d4152fffffffe {
		t.Errorf("addSigned: %#x", uint64(got))
	}
}

func fixClock(t *testing.T, now float64) {
	old := nowFunc
	nowFunc = func() float64 { return now }
	t.Cleanup(func() { nowFunc = old })
}

func TestNextTID(t *testing.T) {
	now := 1795546536.3298514
	fixClock(t, now)
	clockTid := cluster.TidFromUnix(now)
	// From the clock when above the last tid, else just above it.
	if got := nextTID(0, 0, false, 0); got != clockTid {
		t.Fatalf("nextTID = %v, want %v", got, clockTid)
	}
	last := clockTid
	for i := 0; i < 100; i++ {
		tid := nextTID(last, 0, false, 0)
		if tid <= last {
			t.Fatalf("nextTID(%v) = %v: not increasing", last, tid)
		}
		last = tid
	}
	// A final tid stays in the partition of its ttid, above the last.
	for _, np := range []uint64{1, 4, 7, 100} {
		for _, ttid := range []zodb.Tid{clockTid + 3, clockTid - 1000, last + 11} {
			tid := nextTID(last, ttid, true, np)
			if uint64(tid)%np != uint64(ttid)%np || tid <= last {
				t.Errorf("np %d ttid %v: tid %v (last %v)", np, ttid, tid, last)
			}
		}
	}
	// The ttid itself when it is the last tid given.
	if got := nextTID(last+5, last+5, true, 4); got != last+5 {
		t.Errorf("nextTID(ttid == min) = %v", got)
	}
}

func TestOIDAllocation(t *testing.T) {
	tm := newTxnManager()
	tm.setLastOID(41)
	tm.setLastOID(7) // never backwards
	oids := tm.nextOIDs(3)
	if len(oids) != 3 || oids[0] != 42 || oids[2] != 44 || tm.lastOID != 44 {
		t.Fatalf("nextOIDs: %v, last %v", oids, tm.lastOID)
	}
}

func BenchmarkNextTID(b *testing.B) {
	last := zodb.Tid(0)
	for i := 0; i < b.N; i++ {
		last = nextTID(last, 0, false, 0)
	}
}
