package master

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// fmtPT renders the table as neoctl's `print pt` rows: one line per node
// with a cell, by NID, one letter per partition.
func fmtPT(pt *ptable) string {
	letters := map[proto.CellState]byte{proto.UpToDate: 'U', proto.OutOfDate: 'O', proto.Feeding: 'F', proto.Corrupted: 'C'}
	rows := map[*node][]byte{}
	for offset, row := range pt.rows {
		for _, c := range row {
			if rows[c.node] == nil {
				rows[c.node] = []byte(strings.Repeat(".", pt.np))
			}
			rows[c.node][offset] = letters[c.state]
		}
	}
	var nodes []*node
	for n := range rows {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].nid < nodes[j].nid })
	var out []string
	for _, n := range nodes {
		out = append(out, fmt.Sprintf("%s %s", n.nid, rows[n]))
	}
	return strings.Join(out, "\n")
}

func storages(n int) []*node {
	var out []*node
	for i := 1; i <= n; i++ {
		out = append(out, &node{typ: proto.Storage, nid: proto.NID(i), state: proto.NodeRunning})
	}
	return out
}

func checkPT(t *testing.T, pt *ptable, want string) {
	t.Helper()
	if got := fmtPT(pt); got != strings.TrimSpace(want) {
		t.Fatalf("partition table:\n%s\nwant:\n%s", got, strings.TrimSpace(want))
	}
}

// The tables below are what NEO/py's master printed (neoctl print pt) for
// the same sequence of operations: -p 6 -r 1, two storages, a third
// added and tweaked in, then replicas 0 and tweak again.
func TestPTMakeTweakAsNEOpy(t *testing.T) {
	s := storages(3)
	pt := newPTable(6, 1)
	if err := pt.make(s[:2]); err != nil {
		t.Fatal(err)
	}
	if pt.id != 1 || !pt.filled() {
		t.Fatalf("ptid %d filled %v", pt.id, pt.filled())
	}
	checkPT(t, pt, `
S1 UUUUUU
S2 UUUUUU`)

	// S2 goes down: its cells are outdated, the table stays operational.
	s[1].state = proto.NodeDown
	changes := pt.outdate(nil)
	if len(changes) != 6 {
		t.Fatalf("outdate: %v", changes)
	}
	checkPT(t, pt, `
S1 UUUUUU
S2 OOOOOO`)
	if !pt.operational(nil) {
		t.Fatal("not operational with S1")
	}
	// Back and replicated.
	s[1].state = proto.NodeRunning
	pt.markUpdatable(2, []uint32{0, 1, 2, 3, 4, 5})
	for p := 0; p < 6; p++ {
		if _, err := pt.setUpToDate(s[1], p); err != nil {
			t.Fatal(err)
		}
	}
	checkPT(t, pt, `
S1 UUUUUU
S2 UUUUUU`)

	// neoctl add S3; neoctl tweak.
	pt.addNodeList(s[2:])
	if _, err := pt.tweak(nil); err != nil {
		t.Fatal(err)
	}
	checkPT(t, pt, `
S1 UUFUUF
S2 UFUUFU
S3 .OO.OO`)
	// Tweaking again changes nothing.
	if ch, err := pt.tweak(nil); err != nil || len(ch) != 0 {
		t.Fatalf("second tweak: %v %v", ch, err)
	}
	// S3 replicates; the feeding cells go.
	if ch, _ := pt.setUpToDate(s[2], 1); ch != nil {
		t.Fatalf("replication done before asking what to replicate: %v", ch)
	}
	pt.markUpdatable(3, []uint32{1, 2, 4, 5})
	for _, p := range []int{1, 2, 4, 5} {
		if _, err := pt.setUpToDate(s[2], p); err != nil {
			t.Fatal(err)
		}
	}
	checkPT(t, pt, `
S1 UU.UU.
S2 U.UU.U
S3 .UU.UU`)

	// neoctl set replicas 0; neoctl tweak.
	pt.nr = 0
	if _, err := pt.tweak(nil); err != nil {
		t.Fatal(err)
	}
	checkPT(t, pt, `
S1 U..U..
S2 ..U..U
S3 .U..U.`)

	// neoctl drop S3 refuses: it holds the only copies.
	_, err := pt.dropNodeList(s[2:], false)
	if err == nil || err.Error() != "Refuse to drop nodes that contain the only readable copies of partition 1" {
		t.Fatalf("drop: %v", err)
	}
}

func TestPTMakeLayouts(t *testing.T) {
	for _, tc := range []struct {
		np, nr, nodes int
		want          string
	}{
		{4, 0, 1, "S1 UUUU"},
		{4, 0, 2, "S1 U.U.\nS2 .U.U"},
		{5, 0, 3, "S1 U..U.\nS2 .U..U\nS3 ..U.."},
		{3, 1, 2, "S1 UUU\nS2 UUU"},
		{6, 1, 3, "S1 UU.UU.\nS2 U.UU.U\nS3 .UU.UU"},
		{4, 2, 2, "S1 UUUU\nS2 UUUU"},
	} {
		pt := newPTable(tc.np, tc.nr)
		if err := pt.make(storages(tc.nodes)); err != nil {
			t.Fatal(err)
		}
		checkPT(t, pt, tc.want)
		if !pt.operational(nil) {
			t.Errorf("%+v: not operational", tc)
		}
	}
}

func TestPTOutdateLastNode(t *testing.T) {
	s := storages(2)
	pt := newPTable(4, 0)
	pt.make(s)
	// S1 lost: the partitions it alone served keep its cells (so the
	// cluster can restart with it) and the table is not operational.
	s[0].state = proto.NodeDown
	if ch := pt.outdate(s[0]); len(ch) != 0 {
		t.Fatalf("outdate(lost): %v", ch)
	}
	if pt.operational(nil) {
		t.Fatal("operational without S1")
	}
	// Without sparing it, they are outdated.
	if ch := pt.outdate(nil); len(ch) != 2 {
		t.Fatalf("outdate: %v", ch)
	}
	checkPT(t, pt, "S1 O.O.\nS2 .U.U")
}

func TestPTLoadAndRows(t *testing.T) {
	s := storages(2)
	rows := [][]proto.CellInfo{{{NID: 2, State: proto.UpToDate}, {NID: 1, State: proto.UpToDate}}, {{NID: 1, State: proto.OutOfDate}}}
	pt := newPTable(100, 0)
	err := pt.load(7, 1, rows, func(nid proto.NID) *node { return s[nid-1] })
	if err != nil {
		t.Fatal(err)
	}
	if pt.np != 2 || pt.id != 7 || pt.nr != 1 || !pt.filled() {
		t.Fatalf("loaded %+v", pt)
	}
	got := pt.rowList()
	if fmt.Sprint(got) != fmt.Sprint(rows) {
		t.Fatalf("rows %v, want %v", got, rows)
	}
	// Only partition 0 is readable: pending nodes make it operational
	// only when partition 1 has a readable cell too.
	s[0].state, s[1].state = proto.NodePending, proto.NodePending
	if l := pt.operationalNodeSet(); l != nil {
		t.Fatalf("operationalNodeSet %v", l)
	}
	s[0].state = proto.NodeUnknown
	if err := pt.load(1, 0, rows, func(nid proto.NID) *node { return s[nid-1] }); err == nil {
		t.Fatal("loaded a cell of an unknown node")
	}
}

// Tables NEO/py's master/pt.py makes for storages with devpaths (computed
// by running it on these inputs): replicas go to different places when
// the topology allows it.
func TestPTTopologyAsNEOpy(t *testing.T) {
	for _, tc := range []struct {
		np, nr   int
		devpaths [][]string
		add      [][]string
		want     string
	}{
		{6, 1, [][]string{{"a"}, {"a"}, {"b"}, {"b"}}, nil, "S1 U.U.U.\nS2 .U.U.U\nS3 U.U.U.\nS4 .U.U.U"},
		{8, 1, [][]string{{"a", "x"}, {"a", "y"}, {"b", "x"}, {"b", "y"}}, nil, "S1 U.U.U.U.\nS2 .U.U.U.U\nS3 U.U.U.U.\nS4 .U.U.U.U"},
		{6, 2, [][]string{{"r1", "m1"}, {"r1", "m2"}, {"r2", "m3"}, {"r2", "m4"}, {"r3", "m5"}, {"r3", "m6"}}, nil, "S1 U.U.U.\nS2 .U.U.U\nS3 U.U.U.\nS4 .U.U.U\nS5 U.U.U.\nS6 .U.U.U"},
		{10, 1, [][]string{{"a"}, {"a"}, {"a"}, {"b"}, {"b"}}, nil, "S1 U.U..U.U..\nS2 U..U.U..U.\nS3 .U.U..U.U.\nS4 .U..U.U..U\nS5 ..U.U..U.U"},
		{6, 1, [][]string{{"a"}, {"a"}, {"b"}}, [][]string{{"b"}}, "S1 UU.UU.\nS2 U.UU.U\nS3 .UU.UU / S1 UFOFU.\nS2 FOFU.U\nS3 OFU.UF\nS4 .O.O.O"},
		{7, 1, [][]string{{}, {}, {}}, nil, "S1 UU.UU.U\nS2 U.UU.UU\nS3 .UU.UU."},
	} {
		var nodes []*node
		for i, d := range tc.devpaths {
			nodes = append(nodes, &node{typ: proto.Storage, nid: proto.NID(i + 1), state: proto.NodeRunning, devpath: d})
		}
		pt := newPTable(tc.np, tc.nr)
		if err := pt.make(nodes); err != nil {
			t.Fatal(err)
		}
		got := fmtPT(pt)
		if tc.add != nil {
			var added []*node
			for i, d := range tc.add {
				added = append(added, &node{typ: proto.Storage, nid: proto.NID(len(nodes) + i + 1), state: proto.NodeRunning, devpath: d})
			}
			pt.addNodeList(added)
			if _, err := pt.tweak(nil); err != nil {
				t.Fatal(err)
			}
			got += " / " + fmtPT(pt)
		}
		if got != tc.want {
			t.Errorf("np %d nr %d %v + %v:\n%s\nwant:\n%s", tc.np, tc.nr, tc.devpaths, tc.add, got, tc.want)
		}
	}
}
