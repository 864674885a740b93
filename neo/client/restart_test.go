package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestRestart restarts the storage, then the master, under a client:
// the client reconnects, nothing committed is lost, commits go on and
// the watch channel misses no commit, even those made by another client
// while this one was disconnected.
func TestRestart(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	a := openClient(t, c.url())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := a.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oid, err := a.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	serial := commitOne(t, a, oid, 0, "0")
	want := []zodb.Tid{serial}
	check := func(step string, data string) {
		t.Helper()
		got, s, err := a.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
		if err != nil || string(got) != data || s != serial {
			t.Fatalf("%s: load %q @%s %v, want %q @%s", step, got, s, err, data, serial)
		}
	}

	c.stopStorage(0)
	c.restartStorage(0)
	check("storage restarted", "0")
	serial = commitOne(t, a, oid, serial, "1")
	want = append(want, serial)
	check("commit after storage restart", "1")

	c.restartMaster()
	// Another client commits while a may still be reconnecting.
	b := openClient(t, c.url())
	serial = commitOne(t, b, oid, serial, "2")
	want = append(want, serial)
	if _, err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	check("master restarted", "2")
	serial = commitOne(t, a, oid, serial, "3")
	want = append(want, serial)
	check("commit after master restart", "3")

	for _, tid := range want {
		if ev := recvEvent(t, w); ev.Tid != tid {
			t.Errorf("event %s, want %s", ev.Tid, tid)
		}
	}
}

// TestMasterLostInTxn: a transaction whose master goes away fails with a
// clear error instead of hanging, and the client commits again once a
// master is back.
func TestMasterLostInTxn(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	a := openClient(t, c.url())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	oid, err := a.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t0 := commitOne(t, a, oid, 0, "0")
	txn, err := a.Begin(ctx, zodb.TxnMeta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, oid, t0, []byte("lost")); err != nil {
		t.Fatal(err)
	}
	c.stop("master")
	// Should the client not have seen the master go before Finish sent
	// its request, the outcome is unknown until a master is back: bound
	// that wait.
	ctx2, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	err = txn.Vote(ctx2)
	if err == nil {
		_, err = txn.Finish(ctx2)
	}
	txn.Abort()
	// The master link breaks, or the storage's (a storage drops its
	// clients when it loses the master): either way a clear error.
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "vote") && !strings.Contains(err.Error(), "finish") {
		t.Fatalf("commit with the master gone: %v", err)
	}
	c.startMaster(c.masterAddr)
	commitOne(t, a, oid, t0, "1")
}
