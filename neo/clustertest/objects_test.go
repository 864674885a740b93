package clustertest

import (
	"bytes"
	"errors"
	"math/rand"
	"testing"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestLargeObjects commits and loads objects of several MiB, compressible
// and not (the client sends zlib data only when it is smaller), through a
// fresh client without cache: packets far above the usual sizes cross
// the client, the storage and its database intact.
func TestLargeObjects(t *testing.T) {
	c := startCluster(t, simple.Options{})
	w := open(t, c.URL())
	rnd := rand.New(rand.NewSource(1))
	random := make([]byte, 8<<20)
	rnd.Read(random)
	objs := map[zodb.Oid][]byte{}
	oids := newOids(t, w, 3)
	objs[oids[0]] = random
	objs[oids[1]] = bytes.Repeat([]byte("compressible "), 1<<20)
	objs[oids[2]] = []byte{} // empty data is not a deletion
	tid := commit(t, w, "large", objs, nil)
	r := open(t, coldURL(c.URL()))
	for oid, data := range objs {
		got, serial, err := r.Load(bg, zodb.Xid{Oid: oid, At: tid})
		if err != nil || serial != tid || !bytes.Equal(got, data) {
			t.Errorf("load %s: %d bytes @%s, %v; want %d bytes @%s", oid, len(got), serial, err, len(data), tid)
		}
	}
}

// TestReadOnlyClient opens the cluster read-only (zodburi's read_only):
// it reads, and refuses to write with zodb.ErrReadOnly.
func TestReadOnlyClient(t *testing.T) {
	c := startCluster(t, simple.Options{})
	w := open(t, c.URL())
	oid := newOids(t, w, 1)[0]
	tid := commit(t, w, "x", map[zodb.Oid][]byte{oid: []byte("x")}, nil)

	ro := open(t, c.URL()+"?read_only=true")
	wantLoad(t, ro, oid, tid, []byte("x"), tid)
	if _, err := ro.Begin(bg, zodb.TxnMeta{}); !errors.Is(err, zodb.ErrReadOnly) {
		t.Errorf("read-only Begin: %v, want zodb.ErrReadOnly", err)
	}
}
