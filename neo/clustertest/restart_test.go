package clustertest

import (
	"testing"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestRestartStorage stops the only storage and starts it again over its
// database: what was committed before loads after, through the same
// client (which reconnects) and through a new one, and commits go on.
func TestRestartStorage(t *testing.T) {
	c := startCluster(t, simple.Options{})
	w := open(t, c.URL())
	oid := newOids(t, w, 1)[0]
	tid := commit(t, w, "before", map[zodb.Oid][]byte{oid: []byte("kept")}, nil)

	if err := c.StopStorage(0); err != nil {
		t.Fatalf("stop storage: %v", err)
	}
	if err := c.StartStorage(0); err != nil {
		t.Fatalf("start storage: %v", err)
	}
	wantLoad(t, open(t, c.URL()), oid, tid, []byte("kept"), tid)
	wantLoad(t, w, oid, tid, []byte("kept"), tid)
	tid2 := commit(t, w, "after", map[zodb.Oid][]byte{oid: []byte("new")}, map[zodb.Oid]zodb.Tid{oid: tid})
	wantLoad(t, w, oid, tid2, []byte("new"), tid2)
}

// TestRestartMaster restarts the master (same address, same storage
// databases): recovery finds the partition table and the last ids, no
// committed transaction is lost, new tids and oids go on after the old
// ones.
func TestRestartMaster(t *testing.T) {
	c := startCluster(t, simple.Options{})
	w := open(t, c.URL())
	oid := newOids(t, w, 1)[0]
	tid := commit(t, w, "before", map[zodb.Oid][]byte{oid: []byte("kept")}, nil)

	if err := c.RestartMaster(bg); err != nil {
		t.Fatalf("restart master: %v", err)
	}
	r := open(t, c.URL())
	if head, err := r.Sync(bg); err != nil || head != tid {
		t.Fatalf("head after the restart = %s, %v; want %s", head, err, tid)
	}
	wantLoad(t, r, oid, tid, []byte("kept"), tid)
	oid2 := newOids(t, r, 1)[0]
	if oid2 <= oid {
		t.Errorf("new oid after the restart %s, not after %s", oid2, oid)
	}
	tid2 := commit(t, r, "after", map[zodb.Oid][]byte{oid: []byte("new")}, map[zodb.Oid]zodb.Tid{oid: tid})
	if tid2 <= tid {
		t.Errorf("tid after the restart %s, not after %s", tid2, tid)
	}
	// the client opened before the restart reconnects and sees it all
	if head, err := w.Sync(bg); err != nil || head != tid2 {
		t.Fatalf("old client: head = %s, %v; want %s", head, err, tid2)
	}
	wantLoad(t, w, oid, tid2, []byte("new"), tid2)
}

// TestReplicas runs two storages holding every partition (replicas=1):
// with one of them stopped, everything committed still loads and commits
// go on with the other.
func TestReplicas(t *testing.T) {
	c := startCluster(t, simple.Options{Storages: 2, Replicas: 1})
	w := open(t, c.URL())
	oids := newOids(t, w, 8) // spread over the 4 partitions
	objs := map[zodb.Oid][]byte{}
	for _, oid := range oids {
		objs[oid] = []byte("replicated " + oid.String())
	}
	tid := commit(t, w, "replicated", objs, nil)

	if err := c.StopStorage(1); err != nil {
		t.Fatalf("stop storage 1: %v", err)
	}
	r := open(t, c.URL())
	for _, oid := range oids {
		wantLoad(t, r, oid, tid, objs[oid], tid)
		wantLoad(t, w, oid, tid, objs[oid], tid)
	}
	tid2 := commit(t, w, "with one storage", map[zodb.Oid][]byte{oids[0]: []byte("changed")},
		map[zodb.Oid]zodb.Tid{oids[0]: tid})
	// r learns of tid2 by its invalidation or by Sync: the client answers
	// loads at most at the head it knows (as NEO/py's).
	if head, err := r.Sync(bg); err != nil || head != tid2 {
		t.Fatalf("second client: head = %s, %v; want %s", head, err, tid2)
	}
	wantLoad(t, r, oids[0], tid2, []byte("changed"), tid2)
}
