package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestWithMasterAndClient runs two of our storages (replicas 1) under the
// real master, and commits and loads through the real client: both cells
// of every partition take every store, loads are served by either.
// testCluster runs the real master (autostart 2, 4 partitions, replicas
// 1), two of our storages and n clients until the test ends.
func startCluster(t *testing.T, ctx context.Context, n int) []*client.Client {
	t.Helper()
	// Made first so that it is removed last, once the nodes stopped.
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: testCluster, Bind: "127.0.0.1:0", Logger: discardLog},
		Autostart: 2, Partitions: 4, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	run("master", m.Run)
	for i := 1; i <= 2; i++ {
		st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{m.Addr()}, Bind: "127.0.0.1:0", Logger: discardLog},
			Adapter: "SQLite", Database: filepath.Join(dir, fmt.Sprintf("s%d.db", i))})
		if err != nil {
			t.Fatal(err)
		}
		run(fmt.Sprintf("storage %d", i), st.Run)
	}
	url := fmt.Sprintf("neo://%s@%s", testCluster, m.Addr())
	opt := &client.Options{Cluster: testCluster, Masters: []string{m.Addr()}}
	var cs []*client.Client
	for i := 0; i < n; i++ {
		c, err := client.Open(ctx, url, opt, discardLog)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		cs = append(cs, c)
	}
	return cs
}

func commitWith(ctx context.Context, c *client.Client, store func(zodb.Txn) error) (zodb.Tid, error) {
	txn, err := c.Begin(ctx, zodb.TxnMeta{User: []byte("u"), Description: []byte("d")})
	if err != nil {
		return 0, err
	}
	if err := store(txn); err != nil {
		txn.Abort()
		return 0, err
	}
	if err := txn.Vote(ctx); err != nil {
		txn.Abort()
		return 0, err
	}
	return txn.Finish(ctx)
}

func TestWithMasterAndClient(t *testing.T) {
	t.Parallel() // each waits about a second for the cluster to start
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cs := startCluster(t, ctx, 2)
	c1, c2 := cs[0], cs[1]
	var err error

	// Commits of 8 objects, all partitions.
	oids := make([]zodb.Oid, 8)
	for i := range oids {
		if oids[i], err = c1.NewOid(ctx); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(c *client.Client, store func(zodb.Txn) error) (zodb.Tid, error) {
		return commitWith(ctx, c, store)
	}
	tid1, err := commit(c1, func(txn zodb.Txn) error {
		for i, oid := range oids {
			if err := txn.Store(ctx, oid, 0, []byte(fmt.Sprintf("data %d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two clients on one object: the second, on the old serial, conflicts.
	if _, err := commit(c1, func(txn zodb.Txn) error { return txn.Store(ctx, oids[0], tid1, []byte("c1")) }); err != nil {
		t.Fatal(err)
	}
	_, err = commit(c2, func(txn zodb.Txn) error { return txn.Store(ctx, oids[0], tid1, []byte("c2")) })
	var conflict *zodb.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("conflicting commit: %v", err)
	}
	if _, err := c2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for i, oid := range oids {
		want := fmt.Sprintf("data %d", i)
		if i == 0 {
			want = "c1"
		}
		data, _, err := c2.Load(ctx, zodb.Xid{At: c2.Head(), Oid: oid})
		if err != nil || string(data) != want {
			t.Fatalf("load %s: %q, %v; want %q", oid, data, err, want)
		}
	}
}

// TestConcurrentIncrements has 4 clients increment one counter 15 times
// each, retrying on conflicts: no increment is lost, whatever the order
// the storages' locks (and deadlock avoidance) gave.
func TestConcurrentIncrements(t *testing.T) {
	t.Parallel() // each waits about a second for the cluster to start
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
	defer cancel()
	cs := startCluster(t, ctx, 4)
	counter, err := cs[0].NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, err := cs[0].NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commitWith(ctx, cs[0], func(txn zodb.Txn) error {
		if err := txn.Store(ctx, counter, 0, []byte("0")); err != nil {
			return err
		}
		return txn.Store(ctx, other, 0, []byte("0"))
	}); err != nil {
		t.Fatal(err)
	}
	const perClient = 15
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < perClient; {
				if err := increment(ctx, c, counter, other, i%2 == 0); err != nil {
					var conflict *zodb.ConflictError
					if errors.As(err, &conflict) {
						continue
					}
					t.Error(err)
					return
				}
				done++
			}
		}()
	}
	wg.Wait()
	head, err := cs[1].Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, oid := range []zodb.Oid{counter, other} {
		data, _, err := cs[1].Load(ctx, zodb.Xid{At: head, Oid: oid})
		if err != nil || string(data) != fmt.Sprint(len(cs)*perClient) {
			t.Fatalf("%s after %d increments: %q, %v", oid, len(cs)*perClient, data, err)
		}
	}
}

// increment adds 1 to both objects in one transaction, stored in the
// order reversed tells (so that transactions take locks crosswise).
func increment(ctx context.Context, c *client.Client, a, b zodb.Oid, reversed bool) error {
	head, err := c.Sync(ctx)
	if err != nil {
		return err
	}
	oids := []zodb.Oid{a, b}
	if reversed {
		oids = []zodb.Oid{b, a}
	}
	_, err = commitWith(ctx, c, func(txn zodb.Txn) error {
		for _, oid := range oids {
			data, serial, err := c.Load(ctx, zodb.Xid{At: head, Oid: oid})
			if err != nil {
				return err
			}
			var n int
			fmt.Sscan(string(data), &n)
			if err := txn.Store(ctx, oid, serial, []byte(fmt.Sprint(n+1))); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}
