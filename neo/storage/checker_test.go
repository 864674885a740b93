package storage

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// logWatch is a slog handler passing the storages' log messages on.
type logWatch struct{ ch chan slog.Record }

func (w logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w logWatch) Handle(_ context.Context, r slog.Record) error {
	select {
	case w.ch <- r:
	default:
	}
	return nil
}
func (w logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w logWatch) WithGroup(string) slog.Handler      { return w }

// TestCheckReplicas: neoctl check through the master; a transaction
// missing on one storage is reported against the reference.
func TestCheckReplicas(t *testing.T) {
	t.Parallel() // each waits about a second for the cluster to start
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
	defer cancel()
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: testCluster, Bind: "127.0.0.1:0", Logger: discardLog},
		Autostart: 2, Partitions: 1, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	mctx, mcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.Run(mctx) }()
	defer func() { mcancel(); wg.Wait() }()
	watch := logWatch{make(chan slog.Record, 100)}
	var sts []*Storage
	for _, name := range []string{"s1.db", "s2.db"} {
		st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{m.Addr()}, Bind: "127.0.0.1:0",
			Logger: slog.New(watch)}, Adapter: "SQLite", Database: filepath.Join(t.TempDir(), name)})
		if err != nil {
			t.Fatal(err)
		}
		sctx, scancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- st.Run(sctx) }()
		defer func() { scancel(); <-done }()
		sts = append(sts, st)
	}
	c, err := client.Open(ctx, "neo://test@"+m.Addr(), &client.Options{Cluster: testCluster, Masters: []string{m.Addr()}}, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var tids []zodb.Tid
	for i := 0; i < 3; i++ {
		oid, err := c.NewOid(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tid, err := commitWith(ctx, c, func(txn zodb.Txn) error { return txn.Store(ctx, oid, 0, []byte("x")) })
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, tid)
	}

	// An admin asks the master to check the partition against S1.
	check := func(ref proto.NID) {
		t.Helper()
		l, err := link.Dial(ctx, "tcp", m.Addr(), link.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if _, err := l.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Admin, ClusterName: testCluster, IDTimestamp: proto.NoTime}); err != nil {
			t.Fatal(err)
		}
		_, err = l.Ask(ctx, &proto.CheckReplicas{Partitions: []proto.CheckReference{{Partition: 0, NID: ref}}, MinTid: 0, MaxTid: proto.NoTid})
		var ack *link.ErrorAnswer
		if !errors.As(err, &ack) || ack.Code != proto.Ack {
			t.Fatalf("CheckReplicas: %v", err)
		}
	}
	wait := func(msg string) slog.Record {
		t.Helper()
		for deadline := time.After(waitLimit); ; {
			select {
			case r := <-watch.ch:
				if r.Message == msg {
					return r
				}
			case <-deadline:
				t.Fatalf("no %q logged", msg)
			}
		}
	}
	s1, s2 := sts[0], sts[1]
	s1.mu.Lock()
	nid1 := s1.mu.nid
	s1.mu.Unlock()
	check(nid1)
	wait("partition checked")

	// Drop a transaction from S2's database.
	s2.mu.Lock()
	err = s2.db.(backend.ReplicationTarget).DeleteTransaction(tids[1])
	if err == nil {
		err = s2.db.Commit()
	}
	nid2 := s2.mu.nid
	s2.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	check(nid1)
	r := wait("partition corrupted")
	var nodes []proto.NID
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "nodes" {
			nodes, _ = a.Value.Any().([]proto.NID)
		}
		return true
	})
	if len(nodes) != 1 || nodes[0] != nid2 {
		t.Fatalf("corrupted nodes: %v, want [%s]", nodes, nid2)
	}
}
