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
func TestWithMasterAndClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
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
	dir := t.TempDir()
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
	c1, err := client.Open(ctx, url, opt, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := client.Open(ctx, url, opt, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()

	// Commits of 8 objects, all partitions.
	oids := make([]zodb.Oid, 8)
	for i := range oids {
		if oids[i], err = c1.NewOid(ctx); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(c *client.Client, store func(zodb.Txn) error) (zodb.Tid, error) {
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
