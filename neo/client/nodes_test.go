package client_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
)

// testCluster is a master and storages on SQLite run in-process on
// 127.0.0.1 through their Node API (no admin: the client needs none).
type testCluster struct {
	t          testing.TB
	name       string
	dir        string
	masterAddr string
	mu         sync.Mutex
	stops      map[string]func() // node name -> stop and wait
	storAddrs  []string
	opt        clusterOpt
}

func (c *testCluster) startMaster(bind string) {
	m, err := master.New(master.Config{
		Config:    cluster.Config{Cluster: c.name, Bind: bind, Logger: quiet(), TLS: c.opt.tls},
		Autostart: c.opt.storages, Partitions: c.opt.partitions, Replicas: c.opt.replicas,
	})
	if err != nil {
		c.t.Fatal(err)
	}
	c.masterAddr = m.Addr()
	c.run("master", m.Run)
}

// restartMaster stops the master and starts a new one at its address.
func (c *testCluster) restartMaster() {
	c.stop("master")
	c.startMaster(c.masterAddr)
}

type clusterOpt struct {
	name                 string // "test" when empty
	storages             int    // 1 when 0
	partitions, replicas uint32
	tls                  *tls.Config // nil: plain TCP
}

func newTestCluster(t testing.TB, opt clusterOpt) *testCluster {
	t.Helper()
	if opt.name == "" {
		opt.name = "test"
	}
	if opt.storages == 0 {
		opt.storages = 1
	}
	if opt.partitions == 0 {
		opt.partitions = 4
	}
	c := &testCluster{t: t, name: opt.name, dir: t.TempDir(), stops: map[string]func(){}}
	c.opt = opt
	c.startMaster("127.0.0.1:0")
	c.storAddrs = make([]string, opt.storages)
	for i := range opt.storages {
		c.startStorage(i, "127.0.0.1:0")
	}
	t.Cleanup(c.close)
	return c
}

func (c *testCluster) url() string { return "neo://" + c.name + "@" + c.masterAddr }

func (c *testCluster) run(name string, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil && ctx.Err() == nil {
			c.t.Logf("%s: %v", name, err)
		}
	}()
	c.mu.Lock()
	c.stops[name] = func() { cancel(); <-done }
	c.mu.Unlock()
}

// startStorage starts storage i on bind (its previous address to
// restart it where the master knows it).
func (c *testCluster) startStorage(i int, bind string) {
	s, err := storage.New(storage.Config{
		Config:  cluster.Config{Cluster: c.name, Masters: []string{c.masterAddr}, Bind: bind, Logger: quiet(), TLS: c.opt.tls},
		Adapter: "SQLite", Database: filepath.Join(c.dir, fmt.Sprintf("s%d.db", i)),
	})
	if err != nil {
		c.t.Fatal(err)
	}
	c.storAddrs[i] = s.Addr()
	c.run(fmt.Sprintf("storage%d", i), s.Run)
}

func (c *testCluster) stop(name string) {
	c.mu.Lock()
	stop := c.stops[name]
	delete(c.stops, name)
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (c *testCluster) stopStorage(i int)    { c.stop(fmt.Sprintf("storage%d", i)) }
func (c *testCluster) restartStorage(i int) { c.startStorage(i, c.storAddrs[i]) }

func (c *testCluster) close() {
	c.mu.Lock()
	names := make([]string, 0, len(c.stops))
	for n := range c.stops {
		names = append(names, n)
	}
	c.mu.Unlock()
	for _, n := range names {
		if n != "master" {
			c.stop(n)
		}
	}
	c.stop("master")
}
