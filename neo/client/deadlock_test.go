package client_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestDeadlockAvoidance: a younger transaction holds the lock of an
// object an older one wants; the storage asks the younger to relock
// (NotifyDeadlock), the older commits and the younger gets the conflict.
// Stores of more than flushBytes are sent at once, so both lock early.
func TestDeadlockAvoidance(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	a, b := openClient(t, c.url()), openClient(t, c.url())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	oid, err := a.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t0 := commitOne(t, a, oid, 0, "0")
	big := func(c byte) []byte { return bytes.Repeat([]byte{c}, 300<<10) }

	older, err := a.Begin(ctx, zodb.TxnMeta{Description: []byte("older")})
	if err != nil {
		t.Fatal(err)
	}
	defer older.Abort()
	younger, err := b.Begin(ctx, zodb.TxnMeta{Description: []byte("younger")})
	if err != nil {
		t.Fatal(err)
	}
	defer younger.Abort()
	if err := younger.Store(ctx, oid, t0, big('y')); err != nil {
		t.Fatal(err)
	}
	// Let the younger's store lock the object first.
	time.Sleep(100 * time.Millisecond)
	if err := older.Store(ctx, oid, t0, big('o')); err != nil {
		t.Fatal(err)
	}
	if err := older.Vote(ctx); err != nil {
		t.Fatalf("older vote: %v", err)
	}
	t1, err := older.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = younger.Vote(ctx)
	var ce *zodb.ConflictError
	if !errors.As(err, &ce) || ce.Oid != oid || ce.Committed != t1 || ce.Based != t0 {
		t.Fatalf("younger vote: %v, want a conflict with %s based on %s", err, t1, t0)
	}
	if _, err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	data, serial, err := b.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
	if err != nil || serial != t1 || !bytes.Equal(data, big('o')) {
		t.Errorf("load: %d bytes @%s %v, want the older's @%s", len(data), serial, err, t1)
	}
}
