package master

import (
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// NID allocation as NEO/py's getNewUUID: the NID asked is kept when free
// (or held by the node at the same address), else the first free one of
// the node type's namespace; freed NIDs are reused.
func TestNewNID(t *testing.T) {
	m := &Master{}
	m.self = &node{typ: proto.Master, addr: &proto.Address{Host: "h", Port: 1}, nid: mustNID(proto.Master, 1)}
	m.nodes.add(m.self)
	addr := func(port uint16) *proto.Address { return &proto.Address{Host: "h", Port: port} }
	add := func(typ proto.NodeType, nid proto.NID, a *proto.Address) *node {
		n := &node{typ: typ, nid: nid, addr: a}
		m.nodes.add(n)
		return n
	}
	check := func(what string, nid proto.NID, a *proto.Address, typ proto.NodeType, want proto.NID) {
		t.Helper()
		got, err := m.newNID(nid, a, typ)
		if err != nil || got != want {
			t.Errorf("%s: got %v %v, want %v", what, got, err, want)
		}
	}
	check("first storage", proto.NoNID, addr(10), proto.Storage, 1)
	s1 := add(proto.Storage, 1, addr(10))
	check("second storage", proto.NoNID, addr(11), proto.Storage, 2)
	check("storage keeping its NID", 7, addr(11), proto.Storage, 7)
	check("storage asking a NID held elsewhere", 1, addr(11), proto.Storage, 2)
	check("storage back at its address", 1, addr(10), proto.Storage, 1)
	check("first free at the same address", proto.NoNID, addr(10), proto.Storage, 1)
	// Masters: a peer sending our own NID (a temporary M1) gets another.
	check("master with M1", mustNID(proto.Master, 1), addr(2), proto.Master, mustNID(proto.Master, 2))
	c1 := add(proto.Client, mustNID(proto.Client, 1), nil)
	check("second client", proto.NoNID, nil, proto.Client, mustNID(proto.Client, 2))
	m.nodes.remove(c1)
	check("client after the first left", proto.NoNID, nil, proto.Client, mustNID(proto.Client, 1))
	check("admin", proto.NoNID, addr(20), proto.Admin, mustNID(proto.Admin, 1))
	_ = s1
}

func TestNewErrors(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Config: cluster.Config{Cluster: "c", Bind: "127.0.0.1:0", Masters: []string{"nohost"}}},
		{Config: cluster.Config{Cluster: "c", Bind: "127.0.0.1:0"}, Partitions: 1 << 25},
		{Config: cluster.Config{Cluster: "c", Bind: "127.0.0.1:0"}, Autostart: -1},
		{Config: cluster.Config{Cluster: "c", Bind: "256.1.1.1:1"}},
	} {
		if m, err := New(cfg); err == nil {
			m.ln.Close()
			t.Errorf("New(%+v) accepted", cfg)
		} else if !strings.HasPrefix(err.Error(), "master: ") {
			t.Errorf("error %q", err)
		}
	}
	m, err := New(Config{Config: cluster.Config{Cluster: "c", Masters: []string{"127.0.0.1:1", "127.0.0.1:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.ln.Close()
	if m.cfg.Partitions != DefaultPartitions || len(m.nodes.ofType(proto.Master, false)) != 2 || !strings.HasPrefix(m.Addr(), "127.0.0.1:") {
		t.Fatalf("defaults: %+v, %d masters, %s", m.cfg, len(m.nodes.list), m.Addr())
	}
}
