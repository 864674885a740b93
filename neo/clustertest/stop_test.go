package clustertest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/admin"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/neo/storage"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestStopping sets the cluster STOPPING through the admin (neoctl set
// cluster STOPPING): the master, the storage and the admin each end their
// Run without error, as NEO/py's nodes exit, even though the master
// closes its links right after telling them.
func TestStopping(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: "stop", Bind: "127.0.0.1:0", Logger: logger},
		Autostart: 1, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.Config{Cluster: "stop", Masters: []string{m.Addr()}, Bind: "127.0.0.1:0", Logger: logger}
	s, err := storage.New(storage.Config{Config: cfg, Adapter: "SQLite", Database: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	ad, err := admin.New(admin.Config{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]*runner{"master": run(t, m), "storage": run(t, s), "admin": run(t, ad)}
	waitFor(t, "RUNNING", func() bool {
		a, err := ctlDial(ad.Addr())
		if err != nil {
			return false
		}
		defer a.Close()
		st, err := a.ClusterState(bg)
		return err == nil && st == proto.Running
	})
	a := dialAdmin(t, ad.Addr())
	if _, err := a.SetClusterState(bg, proto.Stopping); err != nil {
		t.Fatal(err)
	}
	for name, r := range nodes {
		ctx, cancel := context.WithTimeout(bg, time.Minute) // a hang guard, not a timing
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("%s: Run after STOPPING: %v", name, err)
			}
			r.cancel()
			r.cancel = nil // stopped: nothing left for the cleanup
		case <-ctx.Done():
			t.Errorf("%s still runs after STOPPING", name)
		}
		cancel()
	}
}

// TestFlushLog sends neoctl's flush_log, which the master passes to every
// node: nodes take it as a mere request to flush their logs (NEO/py's
// EventHandler.flushLog), nobody drops its master link, the partition
// table does not move.
func TestFlushLog(t *testing.T) {
	c := startCluster(t, simple.Options{Storages: 2, Replicas: 1})
	w := open(t, c.URL())
	a := dialAdmin(t, c.AdminAddr())
	before, err := a.PartitionList(bg, 0, 0, proto.NoNID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.FlushLog(bg); err != nil {
		t.Fatal(err)
	}
	// A request forwarded on the same admin->master link comes after the
	// flush, and the next commit's lock after the master's FlushLog to
	// the storages.
	if _, err := a.LastIDs(bg); err != nil {
		t.Fatal(err)
	}
	commit(t, w, "after flush_log", map[zodb.Oid][]byte{newOids(t, w, 1)[0]: []byte("x")}, nil)
	after, err := a.PartitionList(bg, 0, 0, proto.NoNID)
	if err != nil {
		t.Fatal(err)
	}
	if after.PTid != before.PTid || !allUpToDate(after) {
		t.Errorf("partition table moved after flush_log: ptid %v -> %v, %v", before.PTid, after.PTid, after.Rows)
	}
}
