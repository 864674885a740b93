package clustertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// dialAdmin connects to the admin at addr as neoctl does.
func dialAdmin(t *testing.T, addr string) *ctl.Client {
	t.Helper()
	a, err := ctl.Dial(bg, addr, nil)
	if err != nil {
		t.Fatalf("dial admin: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// neoctl runs one neoctl command against the admin and returns its output.
func neoctl(t *testing.T, a *ctl.Client, args ...string) string {
	t.Helper()
	out, err := ctl.Run(bg, a, args)
	if err != nil {
		t.Fatalf("neoctl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TestAdmin drives a running cluster through its admin as neoctl would:
// what it prints of the cluster, nodes and table, then STOPPING, which
// every node obeys: the master exits on its own.
func TestAdmin(t *testing.T) {
	c := startCluster(t, simple.Options{Storages: 2})
	w := open(t, c.URL())
	commit(t, w, "x", map[zodb.Oid][]byte{newOids(t, w, 1)[0]: []byte("x")}, nil)

	a := dialAdmin(t, c.AdminAddr())
	if out := neoctl(t, a, "print", "cluster"); out != "RUNNING\n" {
		t.Errorf("print cluster = %q", out)
	}
	nodes := neoctl(t, a, "print", "node")
	for _, want := range []string{"M1 | MASTER ", "S1 | STORAGE", "S2 | STORAGE", "A1 | ADMIN ", "C1 | CLIENT "} {
		if !strings.Contains(nodes, want) {
			t.Errorf("print node lacks %q:\n%s", want, nodes)
		}
	}
	if pt := neoctl(t, a, "print", "pt"); !strings.HasPrefix(pt, "# ptid: 1, replicas: 0\n") ||
		!strings.Contains(pt, "S1 R U.U.\n") || !strings.Contains(pt, "S2 R .U.U\n") {
		t.Errorf("print pt:\n%s", pt)
	}
	head, err := w.Sync(bg)
	if err != nil {
		t.Fatal(err)
	}
	if ids := neoctl(t, a, "print", "ids"); !strings.Contains(ids, "last_tid = 0x"+strings.TrimLeft(head.String(), "0")) {
		t.Errorf("print ids does not show the last tid %s:\n%s", head, ids)
	}

	if _, err := a.SetClusterState(bg, proto.Stopping); err != nil {
		t.Fatalf("set cluster STOPPING: %v", err)
	}
	<-c.Stopped()
	if err := c.Err(); err != nil {
		t.Errorf("cluster stopped with %v", err)
	}
}

// waitUpToDate polls the admin until every cell of the table is
// UP_TO_DATE (replication is asynchronous: the master announces the end
// of each partition's).
func waitUpToDate(t *testing.T, a *ctl.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	for {
		pt, err := a.PartitionList(ctx, 0, 0, proto.NoNID)
		if err == nil && allUpToDate(pt) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("cells not all UP_TO_DATE: %v, %v", pt, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func allUpToDate(pt *proto.PartitionTable) bool {
	for _, row := range pt.Rows {
		for _, cell := range row {
			if cell.State != proto.UpToDate {
				return false
			}
		}
	}
	return len(pt.Rows) > 0
}

// TestReplication stops one of two replicated storages, commits without
// it, starts it again: it catches up from the other (NEO's replication),
// and once the master says so, it alone serves everything.
func TestReplication(t *testing.T) {
	c := startCluster(t, simple.Options{Storages: 2, Replicas: 1})
	a := dialAdmin(t, c.AdminAddr())
	w := open(t, c.URL())
	oids := newOids(t, w, 8)
	objs := map[zodb.Oid][]byte{}
	for _, oid := range oids {
		objs[oid] = []byte("first " + oid.String())
	}
	tid1 := commit(t, w, "with both", objs, nil)

	if err := c.StopStorage(1); err != nil {
		t.Fatal(err)
	}
	serials := map[zodb.Oid]zodb.Tid{}
	for _, oid := range oids[:4] {
		objs[oid] = []byte("second " + oid.String())
		serials[oid] = tid1
	}
	tid2 := commit(t, w, "without storage 1", map[zodb.Oid][]byte{
		oids[0]: objs[oids[0]], oids[1]: objs[oids[1]], oids[2]: objs[oids[2]], oids[3]: objs[oids[3]],
	}, serials)

	if err := c.StartStorage(1); err != nil {
		t.Fatal(err)
	}
	waitUpToDate(t, a)
	if err := c.StopStorage(0); err != nil {
		t.Fatal(err)
	}
	r := open(t, c.URL())
	for i, oid := range oids {
		serial := tid1
		if i < 4 {
			serial = tid2
		}
		wantLoad(t, r, oid, tid2, objs[oid], serial)
	}
	if n := countTxns(t, r); n != 2 {
		t.Errorf("storage 1 alone has %d transactions, want 2", n)
	}
}

// waitFor polls cond until it holds (within a minute): the cluster
// changes state asynchronously after an order.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestTruncate truncates the database after its first transaction with
// neoctl's truncate: the cluster goes through recovery, and then every
// storage (two replicas) holds that transaction alone; commits go on
// from there.
func TestTruncate(t *testing.T) {
	c := startCluster(t, simple.Options{Storages: 2, Replicas: 1})
	w := open(t, c.URL())
	oid := newOids(t, w, 1)[0]
	t1 := commit(t, w, "1", map[zodb.Oid][]byte{oid: []byte("1")}, nil)
	commit(t, w, "2", map[zodb.Oid][]byte{oid: []byte("2")}, map[zodb.Oid]zodb.Tid{oid: t1})
	a := dialAdmin(t, c.AdminAddr())
	if _, err := a.Truncate(bg, t1); err != nil {
		t.Fatalf("truncate: %v", err)
	}
	waitFor(t, "the truncation", func() bool {
		st, err := a.ClusterState(bg)
		if err != nil || st != proto.Running {
			return false
		}
		last, err := a.LastTransaction(bg)
		return err == nil && last == t1
	})
	for i := 0; i < 2; i++ { // each storage alone
		if err := c.StopStorage(1 - i); err != nil {
			t.Fatal(err)
		}
		r := open(t, coldURL(c.URL()))
		if n := countTxns(t, r); n != 1 {
			t.Errorf("storage %d alone: %d transactions after the truncation, want 1", i, n)
		}
		wantLoad(t, r, oid, t1, []byte("1"), t1)
		if err := c.StartStorage(1 - i); err != nil {
			t.Fatal(err)
		}
		waitUpToDate(t, a)
	}
	r := open(t, c.URL())
	commit(t, r, "3", map[zodb.Oid][]byte{oid: []byte("3")}, map[zodb.Oid]zodb.Tid{oid: t1})
}

// ctlDial connects to an admin without failing the test (for polls).
func ctlDial(addr string) (*ctl.Client, error) { return ctl.Dial(bg, addr, nil) }
