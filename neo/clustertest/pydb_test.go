package clustertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/storagetest"
)

// pyCluster starts a cluster over storage databases NEO/py wrote (from
// testdata/neo/db), storage i on dbs[i]: the master must recover the
// partition table, the NIDs and the last ids from them.
func pyCluster(t *testing.T, name string, dbs ...string) *simple.Cluster {
	dir := t.TempDir()
	for i, src := range dbs {
		db, err := os.ReadFile(filepath.Join("..", "..", "testdata", "neo", "db", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "storage"+string(rune('0'+i))+".db"), db, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return startCluster(t, simple.Options{Dir: dir, Cluster: name, Storages: len(dbs)})
}

// countTxns iterates the whole database.
func countTxns(t *testing.T, s zodb.Storage) int {
	t.Helper()
	n := 0
	it := s.Iterate(bg, 0, zodb.TidMax)
	for {
		_, _, err := it.NextTxn(bg)
		if err != nil {
			return n
		}
		n++
	}
}

// TestNEOpyReplicated runs over the two databases of NEO/py's replicated
// cluster (trace s4, cluster s4r: 2 storages, replicas=1): every read
// through the client agrees with itself, and commits go on after
// NEO/py's last transaction.
func TestNEOpyReplicated(t *testing.T) {
	c := pyCluster(t, "s4r", "s4/rB-s1.sqlite", "s4/rB-s2.sqlite")
	r := open(t, c.URL())
	head, err := r.Sync(bg)
	if err != nil {
		t.Fatal(err)
	}
	if n := countTxns(t, r); n != 4 { // rows of its trans table
		t.Errorf("%d transactions, want the 4 NEO/py committed", n)
	}
	storagetest.RunReadSuite(t, func(t *testing.T) zodb.Storage {
		s, err := zodb.Open(bg, c.URL(), &zodb.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, nil)

	oid := newOids(t, r, 1)[0]
	tid := commit(t, r, "after NEO/py", map[zodb.Oid][]byte{oid: []byte("new")}, nil)
	if tid <= head {
		t.Errorf("new tid %s not after NEO/py's last %s", tid, head)
	}
	wantLoad(t, r, oid, tid, []byte("new"), tid)
}

// TestNEOpyPacked runs over the database of NEO/py's trace s2 (metadata,
// compressed data, an undo, then a pack). The read suite is not run: the
// undo record of oid 2 keeps its backpointer (value_tid) to a revision
// the pack removed, which NEO/py's iterator reports as data_txn as we do,
// so "load at the backpointer" cannot hold there.
func TestNEOpyPacked(t *testing.T) {
	c := pyCluster(t, "s2", "s2/s1.sqlite")
	r := open(t, c.URL())
	head, err := r.Sync(bg)
	if err != nil {
		t.Fatal(err)
	}
	if n := countTxns(t, r); n != 7 {
		t.Errorf("%d transactions, want the 7 NEO/py committed", n)
	}
	// the undo record left by the pack still loads at head
	if _, serial, err := r.Load(bg, zodb.Xid{Oid: 2, At: head}); err != nil || serial != 0x040d3c8fbb6006ba {
		t.Errorf("load oid 2 at head: serial %s, %v; want 040d3c8fbb6006ba", serial, err)
	}
	oid := newOids(t, r, 1)[0]
	tid := commit(t, r, "after NEO/py", map[zodb.Oid][]byte{oid: []byte("new")}, nil)
	if tid <= head {
		t.Errorf("new tid %s not after NEO/py's last %s", tid, head)
	}
}

// TestDatabaseOfAnotherCluster starts a storage over a database of
// cluster "s2" in a cluster named otherwise: the storage refuses to run,
// with an error naming both clusters, and the database still serves
// cluster s2 afterwards with everything in it.
func TestDatabaseOfAnotherCluster(t *testing.T) {
	dir := t.TempDir()
	orig, err := os.ReadFile(filepath.Join("..", "..", "testdata", "neo", "db", "s2", "s1.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "storage0.db"), orig, 0o666); err != nil {
		t.Fatal(err)
	}
	c, err := simple.Start(bg, simple.Options{Dir: dir, Cluster: "other"})
	if err == nil {
		c.Close()
		t.Fatal("a cluster named other started over a database of cluster s2")
	}
	if !strings.Contains(err.Error(), `"s2"`) || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("error does not name both clusters: %v", err)
	}
	c = startCluster(t, simple.Options{Dir: dir, Cluster: "s2"})
	if n := countTxns(t, open(t, c.URL())); n != 7 {
		t.Errorf("%d transactions after the refusal, want the 7 NEO/py committed", n)
	}
}
