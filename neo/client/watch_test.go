package client_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/zodb"
)

// commitOne commits data as oid's new revision based on serial.
func commitOne(t testing.TB, c *client.Client, oid zodb.Oid, serial zodb.Tid, data string) zodb.Tid {
	t.Helper()
	tid, err := tryCommitOne(c, oid, serial, data)
	if err != nil {
		t.Fatal(err)
	}
	return tid
}

func tryCommitOne(c *client.Client, oid zodb.Oid, serial zodb.Tid, data string) (zodb.Tid, error) {
	ctx := context.Background()
	txn, err := c.Begin(ctx, zodb.TxnMeta{})
	if err != nil {
		return 0, err
	}
	defer txn.Abort()
	if err := txn.Store(ctx, oid, serial, []byte(data)); err != nil {
		return 0, err
	}
	if err := txn.Vote(ctx); err != nil {
		return 0, err
	}
	return txn.Finish(ctx)
}

func recvEvent(t *testing.T, ch <-chan zodb.CommitEvent) zodb.CommitEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed")
		}
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no commit event")
	}
	panic("unreachable")
}

// TestWatch: both clients see every commit, theirs and the other's, in
// tid order, and the other's cache is invalidated.
func TestWatch(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	a, b := openClient(t, c.url()), openClient(t, c.url())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wa, err := a.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oid, err := a.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t1 := commitOne(t, a, oid, 0, "one")
	// b loads (and caches) the first revision, then a changes it. A load
	// sees what the client was told of: sync first.
	if _, err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if data, _, err := b.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid}); err != nil || string(data) != "one" {
		t.Fatalf("b load: %q %v", data, err)
	}
	t2 := commitOne(t, b, oid, t1, "two")
	t3 := commitOne(t, a, oid, t2, "three")
	for name, ch := range map[string]<-chan zodb.CommitEvent{"a": wa, "b": wb} {
		for _, want := range []zodb.Tid{t1, t2, t3} {
			ev := recvEvent(t, ch)
			if ev.Tid != want || !slices.Equal(ev.Oids, []zodb.Oid{oid}) {
				t.Errorf("%s: event %+v, want %s with %s", name, ev, want, oid)
			}
		}
	}
	if _, err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if data, serial, err := b.Load(ctx, zodb.Xid{At: b.Head(), Oid: oid}); err != nil || string(data) != "three" || serial != t3 {
		t.Errorf("b load after a's commit: %q @%s %v, want three @%s", data, serial, err, t3)
	}
	if data, _, err := b.Load(ctx, zodb.Xid{At: t2, Oid: oid}); err != nil || string(data) != "two" {
		t.Errorf("b load @t2: %q %v", data, err)
	}
	// Ending the context closes the channel.
	cancel()
	for range wa {
	}
}
