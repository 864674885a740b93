package master

import (
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// node is a node as the master knows it (NEO/py's neo.lib.node.Node).
type node struct {
	typ    proto.NodeType
	addr   *proto.Address
	nid    proto.NID
	state  proto.NodeState
	idTime float64 // proto.NoTime for masters

	peer *peer // the identified connection, nil when not connected

	dialing bool // a master we are connecting to (election)

	// From RequestIdentification's extra.
	devpath  []string
	backup   bool // a client of a backup cluster
	readOnly bool

	// completedPack is the last pack a storage reported done.
	completedPack    zodb.Tid
	hasCompletedPack bool
}

func (n *node) identified() bool { return n.peer != nil }

func (n *node) info() proto.NodeInfo {
	return proto.NodeInfo{Type: n.typ, Addr: n.addr, NID: n.nid, State: n.state, IDTimestamp: n.idTime}
}

func sameAddr(a, b *proto.Address) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// nodeTable is every node the master knows, in the order it learnt them.
type nodeTable struct {
	list []*node
}

func (t *nodeTable) add(n *node) { t.list = append(t.list, n) }

func (t *nodeTable) remove(n *node) {
	for i, x := range t.list {
		if x == n {
			t.list = append(t.list[:i:i], t.list[i+1:]...)
			return
		}
	}
}

func (t *nodeTable) byNID(nid proto.NID) *node {
	if nid == proto.NoNID {
		return nil
	}
	for _, n := range t.list {
		if n.nid == nid {
			return n
		}
	}
	return nil
}

func (t *nodeTable) byAddr(a *proto.Address) *node {
	if a == nil {
		return nil
	}
	for _, n := range t.list {
		if n.addr != nil && *n.addr == *a {
			return n
		}
	}
	return nil
}

// identifiedList returns the nodes with an identified connection.
func (t *nodeTable) identifiedList() []*node {
	var out []*node
	for _, n := range t.list {
		if n.identified() {
			out = append(out, n)
		}
	}
	return out
}

// ofType returns the nodes of type typ, only those identified if asked.
func (t *nodeTable) ofType(typ proto.NodeType, onlyIdentified bool) []*node {
	var out []*node
	for _, n := range t.list {
		if n.typ == typ && (!onlyIdentified || n.identified()) {
			out = append(out, n)
		}
	}
	return out
}

// monotonicClock is NEO/py's monotonic_time: the wall clock, forced to
// increase by at least 1 ms from one call to the next, so receivers of
// NotifyNodeInformation see increasing timestamps.
type monotonicClock struct{ prev float64 }

func (c *monotonicClock) now() float64 {
	t := float64(time.Now().UnixNano()) / 1e9
	if c.prev < t {
		c.prev = t
	} else {
		c.prev += 1e-3
		t = c.prev
	}
	return t
}
