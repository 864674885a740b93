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
