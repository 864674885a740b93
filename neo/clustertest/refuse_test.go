package clustertest

import (
	"errors"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestForeignNodeRefused identifies to the master and to the admin as
// nodes of another cluster: each refuses with NEO/py's PROTOCOL_ERROR
// 'invalid cluster name', and the cluster goes on.
func TestForeignNodeRefused(t *testing.T) {
	c := startCluster(t, simple.Options{})
	for _, typ := range []proto.NodeType{proto.Storage, proto.Client, proto.Admin} {
		var self *proto.Address
		if typ == proto.Storage {
			self = &proto.Address{Host: "127.0.0.1", Port: 1}
		}
		_, err := identify(t, c.MasterAddr(), typ, "another-cluster", self)
		var ea *link.ErrorAnswer
		if !errors.As(err, &ea) || ea.Code != proto.ProtocolError || !strings.Contains(ea.Message, "cluster name") {
			t.Errorf("%s of another cluster: master answered %v, want PROTOCOL_ERROR about the cluster name", typ, err)
		}
	}
	// A storage refuses a client of another cluster too (clients
	// connect to storages directly, with the NID the master gave them).
	a := dialAdmin(t, c.AdminAddr())
	storages, err := a.NodeList(bg, proto.Storage)
	if err != nil || len(storages) == 0 {
		t.Fatalf("storage list: %v, %v", storages, err)
	}
	_, err = identify(t, storages[0].Addr.String(), proto.Client, "another-cluster", nil)
	var ea *link.ErrorAnswer
	if !errors.As(err, &ea) || ea.Code != proto.ProtocolError {
		t.Errorf("client of another cluster: storage answered %v, want PROTOCOL_ERROR", err)
	}
	w := open(t, c.URL())
	commit(t, w, "still running", map[zodb.Oid][]byte{newOids(t, w, 1)[0]: []byte("x")}, nil)
}

// TestWrongClusterClient opens the cluster with a URL naming another
// cluster: the client fails with an error naming the cluster, not a hang.
func TestWrongClusterClient(t *testing.T) {
	c := startCluster(t, simple.Options{Cluster: "right"})
	url := strings.Replace(c.URL(), "right@", "wrong@", 1)
	if url == c.URL() {
		t.Fatalf("cannot make a wrong URL from %s", c.URL())
	}
	s, err := zodb.Open(bg, url, nil)
	if err == nil {
		// a lazy client may connect on first use
		_, err = s.Sync(bg)
		s.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "wrong") {
		t.Fatalf("client of cluster \"wrong\": err = %v, want an error naming the cluster", err)
	}
	t.Logf("client error: %v", err)
}
