package client_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/storagetest"
)

func quiet() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.DiscardHandler)
}

// openClient opens the neo:// driver on url and closes it at the end of
// the test.
func openClient(t testing.TB, url string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := zodb.Open(ctx, url, nil)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*client.Client)
}

func TestWriteSuite(t *testing.T) {
	// NEO cannot tell a conflict with an absent object, nor keep a
	// transaction's status.
	opt := &storagetest.WriteOptions{NoAbsentConflict: true, NoStatus: true}
	storagetest.RunWriteSuiteWith(t, func(t *testing.T) zodb.Writer {
		c := newTestCluster(t, clusterOpt{partitions: 3})
		return openClient(t, c.url())
	}, opt)
}

func TestReplicas(t *testing.T) {
	c := newTestCluster(t, clusterOpt{storages: 2, replicas: 1})
	cl := openClient(t, c.url()+"?cache-size=0")
	ctx := context.Background()
	var tids []zodb.Tid
	var oids []zodb.Oid
	for i := range 8 {
		oid, err := cl.NewOid(ctx)
		if err != nil {
			t.Fatal(err)
		}
		oids = append(oids, oid)
		txn, err := cl.Begin(ctx, zodb.TxnMeta{})
		if err != nil {
			t.Fatal(err)
		}
		if err := txn.Store(ctx, oid, 0, []byte(strings.Repeat("x", i*100))); err != nil {
			t.Fatal(err)
		}
		if err := txn.Vote(ctx); err != nil {
			t.Fatal(err)
		}
		tid, err := txn.Finish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, tid)
	}
	// Every object reads from either replica: stop one, then the other.
	for i := range 2 {
		c.stopStorage(i)
		// A new client, and the first one whose links to the stopped
		// storage break under it (it has no cache).
		for _, r := range []*client.Client{openClient(t, c.url()), cl} {
			for j, oid := range oids {
				data, serial, err := r.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
				if err != nil || serial != tids[j] || len(data) != j*100 {
					t.Errorf("storage %d down: load %s: %d bytes @%s, %v", i, oid, len(data), serial, err)
				}
			}
		}
		c.restartStorage(i)
		// The restarted storage catches up (its cells OUT_OF_DATE, then
		// UP_TO_DATE again) before the other one may go down.
		waitFor(t, "both replicas readable", func() bool { return client.ReadableCells(cl) == 2*4 })
	}
}

func TestWrongCluster(t *testing.T) {
	c := newTestCluster(t, clusterOpt{name: "right"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "neo://wrong@" + c.masterAddr
	_, err := zodb.Open(ctx, url, nil)
	if err == nil {
		t.Fatal("a client of another cluster was accepted")
	}
	if !strings.Contains(err.Error(), `"wrong"`) || !strings.Contains(err.Error(), c.masterAddr) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q does not name the cluster and the master", err)
	}
}

func TestReadOnly(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	cl := openClient(t, c.url()+"?read_only=true")
	if got, want := cl.Name(), "NEOStorage("+c.name+")"; got != want {
		t.Errorf("Name = %q, want %q (NEO/py's getName)", got, want)
	}
	if _, err := cl.Begin(context.Background(), zodb.TxnMeta{}); !errors.Is(err, zodb.ErrReadOnly) {
		t.Errorf("begin on a read-only client: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after a while.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
