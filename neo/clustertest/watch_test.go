package clustertest

import (
	"context"
	"testing"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestWatchAcrossRestarts keeps one watch open while the master and then
// the storage restart: commits made after each restart, once the watching
// client is back (its Sync), still reach it, in tid order, each once.
// (A commit made while the watching client is still reconnecting is not
// covered: see the e2e notes.)
func TestWatchAcrossRestarts(t *testing.T) {
	c := startCluster(t, simple.Options{})
	a, b := open(t, c.URL()), open(t, c.URL())
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	events, err := b.(zodb.Watcher).Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oid := newOids(t, a, 1)[0]
	var serial zodb.Tid
	var tids []zodb.Tid
	commitOne := func(what string) {
		serial = commit(t, a, what, map[zodb.Oid][]byte{oid: []byte(what)}, map[zodb.Oid]zodb.Tid{oid: serial})
		tids = append(tids, serial)
	}
	commitOne("before")
	if err := c.RestartMaster(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Sync(bg); err != nil {
		t.Fatal(err)
	}
	commitOne("after the master restart")
	if err := c.StopStorage(0); err != nil {
		t.Fatal(err)
	}
	if err := c.StartStorage(0); err != nil {
		t.Fatal(err)
	}
	commitOne("after the storage restart")

	for _, want := range tids {
		ev, ok := <-events
		if !ok {
			t.Fatalf("watch closed before %s", want)
		}
		if ev.Tid != want || len(ev.Oids) != 1 || ev.Oids[0] != oid {
			t.Fatalf("event %v, want %s [%s]", ev, want, oid)
		}
	}
	wantLoad(t, b, oid, tids[len(tids)-1], []byte("after the storage restart"), tids[len(tids)-1])
}

// TestCacheAcrossMasterRestart caches a revision in one client, restarts
// the master and commits a new revision from another client at once,
// maybe before the first is back: once the first has synced, it loads the
// new revision, not its cached one (a client that may have missed
// invalidations forgets what it cached, as NEO/py's).
func TestCacheAcrossMasterRestart(t *testing.T) {
	c := startCluster(t, simple.Options{})
	a, b := open(t, c.URL()), open(t, c.URL())
	oid := newOids(t, a, 1)[0]
	t1 := commit(t, a, "1", map[zodb.Oid][]byte{oid: []byte("1")}, nil)
	if _, err := b.Sync(bg); err != nil {
		t.Fatal(err)
	}
	wantLoad(t, b, oid, t1, []byte("1"), t1) // now in b's cache
	if err := c.RestartMaster(bg); err != nil {
		t.Fatal(err)
	}
	t2 := commit(t, a, "2", map[zodb.Oid][]byte{oid: []byte("2")}, map[zodb.Oid]zodb.Tid{oid: t1})
	head, err := b.Sync(bg)
	if err != nil || head != t2 {
		t.Fatalf("head after the restart: %s, %v; want %s", head, err, t2)
	}
	wantLoad(t, b, oid, head, []byte("2"), t2)
}
