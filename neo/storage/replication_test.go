package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// runningStorage is one of our storages run by a test, stoppable.
type runningStorage struct {
	st     *Storage
	cancel context.CancelFunc
	done   chan error
}

func startStorage(t *testing.T, masterAddr, path string) *runningStorage {
	t.Helper()
	st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{masterAddr}, Bind: "127.0.0.1:0", Logger: discardLog},
		Adapter: "SQLite", Database: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningStorage{st: st, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- st.Run(ctx) }()
	t.Cleanup(r.stop)
	return r
}

func (r *runningStorage) stop() {
	if r.cancel != nil {
		r.cancel()
		<-r.done
		r.cancel = nil
	}
}

func (r *runningStorage) operational() bool {
	r.st.mu.Lock()
	defer r.st.mu.Unlock()
	return r.st.mu.operational
}

// upToDate reports whether every cell of r's node is UP_TO_DATE.
func (r *runningStorage) upToDate() bool {
	s := r.st
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.pt.NumPartitions() == 0 || !s.mu.operational {
		return false
	}
	for p := uint32(0); p < s.mu.pt.NumPartitions(); p++ {
		if c, ok := s.mu.pt.Cell(p, s.mu.nid); !ok || c.State != proto.UpToDate {
			return false
		}
	}
	return true
}

// TestReplicationAfterRestart: a storage down while transactions commit
// comes back with its cells out of date, fetches what it missed from the
// other storage and is up to date again; it then serves everything alone.
func TestReplicationAfterRestart(t *testing.T) {
	t.Parallel() // each waits about a second for the cluster to start
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
	defer cancel()
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: testCluster, Bind: "127.0.0.1:0", Logger: discardLog},
		Autostart: 2, Partitions: 4, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	mctx, mcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.Run(mctx) }()
	defer func() { mcancel(); wg.Wait() }()
	dir := t.TempDir()
	s1 := startStorage(t, m.Addr(), filepath.Join(dir, "s1.db"))
	s2path := filepath.Join(dir, "s2.db")
	s2 := startStorage(t, m.Addr(), s2path)
	c, err := client.Open(ctx, "neo://test@"+m.Addr(), &client.Options{Cluster: testCluster, Masters: []string{m.Addr()}}, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	const n = 12
	oids := make([]zodb.Oid, n)
	for i := range oids {
		if oids[i], err = c.NewOid(ctx); err != nil {
			t.Fatal(err)
		}
	}
	serials := make([]zodb.Tid, n)
	write := func(from, to int, gen int) {
		t.Helper()
		for i := from; i < to; i++ {
			tid, err := commitWith(ctx, c, func(txn zodb.Txn) error {
				return txn.Store(ctx, oids[i], serials[i], []byte(fmt.Sprintf("obj %d gen %d", i, gen)))
			})
			if err != nil {
				t.Fatal(err)
			}
			serials[i] = tid
		}
	}
	write(0, n, 1)
	s2.stop()
	write(0, n/2, 2) // while S2 is down
	s2 = startStorage(t, m.Addr(), s2path)
	// (The client's writes must not reach S2 before it serves: it would
	// refuse them, and our client, unlike NEO/py's, does not go on
	// without a storage that failed.)
	for deadline := time.Now().Add(waitLimit); !s2.operational(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("restarted storage not operational")
		}
	}
	write(n/2, n, 2) // while S2 catches up
	for deadline := time.Now().Add(waitLimit); !s2.upToDate(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("restarted storage not up to date")
		}
	}
	s1.stop()
	// A new client: nothing comes from a cache.
	c, err = client.Open(ctx, "neo://test@"+m.Addr(), &client.Options{Cluster: testCluster, Masters: []string{m.Addr()}}, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	head, err := c.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, oid := range oids {
		data, serial, err := c.Load(ctx, zodb.Xid{At: head, Oid: oid})
		if want := fmt.Sprintf("obj %d gen 2", i); err != nil || string(data) != want || serial != serials[i] {
			t.Fatalf("%s from the replicated storage: %q@%s, %v; want %q@%s", oid, data, serial, err, want, serials[i])
		}
		data, _, err = c.Load(ctx, zodb.Xid{At: serials[i] - 1, Oid: oid})
		if want := fmt.Sprintf("obj %d gen 1", i); err != nil || string(data) != want {
			t.Fatalf("%s before %s from the replicated storage: %q, %v; want %q", oid, serials[i], data, err, want)
		}
	}
}
