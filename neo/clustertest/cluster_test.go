package clustertest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	_ "github.com/zodbneo/zodbneo/fs1" // file:// and plain paths
	_ "github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

var bg = context.Background()

// startCluster starts a whole cluster in a temporary directory and stops
// it when the test ends.
func startCluster(t testing.TB, opt simple.Options) *simple.Cluster {
	t.Helper()
	if opt.Dir == "" {
		opt.Dir = t.TempDir()
	}
	if opt.Cluster == "" {
		opt.Cluster = "clustertest"
	}
	if opt.Storages == 0 {
		opt.Storages = 1
	}
	if opt.Partitions == 0 {
		opt.Partitions = 4
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c, err := simple.Start(bg, opt)
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return c
}

// open opens url with the zodb registry, as every zodb command does, and
// closes it when the test ends.
func open(t testing.TB, url string) zodb.Writer {
	t.Helper()
	s, err := zodb.Open(bg, url, nil)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	w, ok := s.(zodb.Writer)
	if !ok {
		t.Fatalf("%s: %T is not a zodb.Writer", url, s)
	}
	return w
}

// commit stores data for each oid (based on serials, 0 for new objects)
// in one transaction and returns its tid.
func commit(t testing.TB, w zodb.Writer, desc string, objs map[zodb.Oid][]byte, serials map[zodb.Oid]zodb.Tid) zodb.Tid {
	t.Helper()
	tid, err := tryCommit(w, desc, objs, serials)
	if err != nil {
		t.Fatalf("commit %q: %v", desc, err)
	}
	return tid
}

func tryCommit(w zodb.Writer, desc string, objs map[zodb.Oid][]byte, serials map[zodb.Oid]zodb.Tid) (zodb.Tid, error) {
	txn, err := w.Begin(bg, zodb.TxnMeta{User: []byte("clustertest"), Description: []byte(desc)})
	if err != nil {
		return 0, err
	}
	for oid, data := range objs {
		if err := txn.Store(bg, oid, serials[oid], data); err != nil {
			txn.Abort()
			return 0, err
		}
	}
	if err := txn.Vote(bg); err != nil {
		txn.Abort()
		return 0, err
	}
	return txn.Finish(bg)
}

// newOids returns n new oids from w.
func newOids(t testing.TB, w zodb.Writer, n int) []zodb.Oid {
	t.Helper()
	oids := make([]zodb.Oid, n)
	for i := range oids {
		oid, err := w.NewOid(bg)
		if err != nil {
			t.Fatalf("new oid: %v", err)
		}
		oids[i] = oid
	}
	return oids
}

// wantLoad checks that oid loads as data with serial at `at`.
func wantLoad(t testing.TB, s zodb.Storage, oid zodb.Oid, at zodb.Tid, data []byte, serial zodb.Tid) {
	t.Helper()
	got, gotSerial, err := s.Load(bg, zodb.Xid{Oid: oid, At: at})
	if err != nil {
		t.Fatalf("load %s@%s: %v", oid, at, err)
	}
	if string(got) != string(data) || gotSerial != serial {
		t.Fatalf("load %s@%s = %q @%s, want %q @%s", oid, at, got, gotSerial, data, serial)
	}
}
