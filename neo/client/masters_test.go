package client_test

import (
	"context"
	"github.com/zodbneo/zodbneo/internal/testnet"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
	"github.com/zodbneo/zodbneo/zodb"
)

// freeAddrs returns n loopback addresses to bind later.
func freeAddrs(t *testing.T, n int) []string { return testnet.FreeAddrs(t, n) }

// TestTwoMasters: a client given only the secondary master follows its
// NotPrimaryMaster to the primary.
func TestTwoMasters(t *testing.T) {
	addrs := freeAddrs(t, 2)
	c := &testCluster{t: t, name: "test", dir: t.TempDir(), stops: map[string]func(){}}
	t.Cleanup(c.close)
	for i, a := range addrs {
		m, err := master.New(master.Config{
			Config:    cluster.Config{Cluster: "test", Masters: addrs, Bind: a, Logger: quiet()},
			Autostart: 1, Partitions: 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		name := "master"
		if i > 0 {
			name = "master2"
		}
		c.run(name, m.Run)
	}
	s, err := storage.New(storage.Config{
		Config:  cluster.Config{Cluster: "test", Masters: addrs, Bind: "127.0.0.1:0", Logger: quiet()},
		Adapter: "SQLite", Database: c.dir + "/s.db",
	})
	if err != nil {
		t.Fatal(err)
	}
	c.run("storage0", s.Run)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var tid zodb.Tid
	for _, a := range addrs {
		cl := openClient(t, "neo://test@"+a)
		oid, err := cl.NewOid(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tid = commitOne(t, cl, oid, 0, "x")
		if h, err := cl.Sync(ctx); err != nil || h < tid {
			t.Errorf("client via %s: head %s %v, want %s", a, h, err, tid)
		}
	}
}

// TestUnreachable: Open of a cluster whose masters never answer gives up
// and says why.
func TestUnreachable(t *testing.T) {
	defer client.SetOpenUnreachable(200 * time.Millisecond)()
	addr := freeAddrs(t, 1)[0]
	_, err := zodb.Open(context.Background(), "neo://test@"+addr, nil)
	if err == nil || !strings.Contains(err.Error(), "reachable") || !strings.Contains(err.Error(), addr) {
		t.Errorf("open with no master: %v", err)
	}
}
