package clustertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestCommitLoadIterate commits through one client and reads back through
// it and through a second client: current and past loads, history and
// iteration.
func TestCommitLoadIterate(t *testing.T) {
	c := startCluster(t, simple.Options{})
	w := open(t, c.URL())
	oids := newOids(t, w, 3)
	data := func(i, rev int) []byte { return []byte(fmt.Sprintf("object %d revision %d", i, rev)) }

	tid1 := commit(t, w, "first", map[zodb.Oid][]byte{oids[0]: data(0, 1), oids[1]: data(1, 1)}, nil)
	tid2 := commit(t, w, "second", map[zodb.Oid][]byte{oids[0]: data(0, 2), oids[2]: data(2, 1)},
		map[zodb.Oid]zodb.Tid{oids[0]: tid1})
	if tid2 <= tid1 {
		t.Fatalf("tids do not grow: %s then %s", tid1, tid2)
	}

	r := open(t, c.URL())
	if head, err := r.Sync(bg); err != nil || head != tid2 {
		t.Fatalf("second client: head = %s, %v; want %s", head, err, tid2)
	}
	for _, s := range []zodb.Storage{w, r} {
		wantLoad(t, s, oids[0], tid2, data(0, 2), tid2)
		wantLoad(t, s, oids[0], tid1, data(0, 1), tid1)
		wantLoad(t, s, oids[1], tid2, data(1, 1), tid1)
		wantLoad(t, s, oids[2], tid2, data(2, 1), tid2)
		if _, _, err := s.Load(bg, zodb.Xid{Oid: oids[2], At: tid1}); !zodb.IsNoData(err) {
			t.Errorf("load %s before its creation: err = %v, want no data", oids[2], err)
		}
	}

	hist, err := r.History(bg, oids[0], tid2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Tid != tid2 || hist[1].Tid != tid1 || hist[0].Size != len(data(0, 2)) {
		t.Errorf("history of %s = %+v", oids[0], hist)
	}

	var got []string
	it := r.Iterate(bg, 0, zodb.TidMax)
	for {
		txn, dit, err := it.NextTxn(bg)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			_, err := dit.NextData(bg)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		got = append(got, fmt.Sprintf("%s %s %d", txn.Tid, txn.Description, n))
	}
	want := []string{fmt.Sprintf("%s first 2", tid1), fmt.Sprintf("%s second 2", tid2)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("iteration:\n got %q\nwant %q", got, want)
	}
}

// TestConflict commits a change of the same object from two clients, both
// based on the same revision: the second gets a *zodb.ConflictError
// naming the object and both serials, and the first's data stays.
func TestConflict(t *testing.T) {
	c := startCluster(t, simple.Options{})
	a, b := open(t, c.URL()), open(t, c.URL())
	oid := newOids(t, a, 1)[0]
	base := commit(t, a, "base", map[zodb.Oid][]byte{oid: []byte("base")}, nil)
	if _, err := b.Sync(bg); err != nil {
		t.Fatal(err)
	}
	wantLoad(t, b, oid, base, []byte("base"), base)

	won := commit(t, a, "a wins", map[zodb.Oid][]byte{oid: []byte("a")}, map[zodb.Oid]zodb.Tid{oid: base})
	_, err := tryCommit(b, "b loses", map[zodb.Oid][]byte{oid: []byte("b")}, map[zodb.Oid]zodb.Tid{oid: base})
	var ce *zodb.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("conflicting commit: err = %v, want a *zodb.ConflictError", err)
	}
	if ce.Oid != oid || ce.Committed != won || ce.Based != base || ce.Read {
		t.Errorf("conflict = %+v, want oid %s committed %s based %s", ce, oid, won, base)
	}
	head, err := b.Sync(bg)
	if err != nil || head != won {
		t.Fatalf("head after the conflict = %s, %v; want %s", head, err, won)
	}
	wantLoad(t, b, oid, head, []byte("a"), won)
	// b can go on once it bases its change on the current revision.
	commit(t, b, "b again", map[zodb.Oid][]byte{oid: []byte("b")}, map[zodb.Oid]zodb.Tid{oid: won})
}

// TestInvalidations checks that a commit by one client reaches the watch
// channel of another, with its tid and objects, in tid order.
func TestInvalidations(t *testing.T) {
	c := startCluster(t, simple.Options{})
	a, b := open(t, c.URL()), open(t, c.URL())
	watcher, ok := zodb.Storage(b).(zodb.Watcher)
	if !ok {
		t.Fatalf("%T is not a zodb.Watcher", b)
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	events, err := watcher.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oids := newOids(t, a, 2)
	tid1 := commit(t, a, "1", map[zodb.Oid][]byte{oids[0]: []byte("x"), oids[1]: []byte("y")}, nil)
	tid2 := commit(t, a, "2", map[zodb.Oid][]byte{oids[1]: []byte("z")}, map[zodb.Oid]zodb.Tid{oids[1]: tid1})

	ev := <-events
	if ev.Tid != tid1 || !sameOids(ev.Oids, oids) {
		t.Errorf("first event = %v, want %s %v", ev, tid1, oids)
	}
	ev = <-events
	if ev.Tid != tid2 || !sameOids(ev.Oids, oids[1:]) {
		t.Errorf("second event = %v, want %s %v", ev, tid2, oids[1:])
	}
	// what the watch announced is loadable by the watcher
	wantLoad(t, b, oids[1], tid2, []byte("z"), tid2)
	cancel()
	for range events { // the channel is closed once ctx ended
	}
}

func sameOids(a, b []zodb.Oid) bool {
	seen := map[zodb.Oid]int{}
	for _, o := range a {
		seen[o]++
	}
	for _, o := range b {
		seen[o]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
