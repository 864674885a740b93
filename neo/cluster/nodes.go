package cluster

import (
	"sort"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// NodeTable is the node list as the primary master tells it
// (NotifyNodeInformation, AnswerNodeList). It is not safe for concurrent
// use: its owner locks.
type NodeTable struct {
	nodes map[proto.NID]proto.NodeInfo
	// Timestamp is the newest NotifyNodeInformation timestamp applied.
	Timestamp float64
}

// NewNodeTable returns an empty table.
func NewNodeTable() *NodeTable { return &NodeTable{nodes: map[proto.NID]proto.NodeInfo{}} }

// Update applies a node list: an entry in state UNKNOWN removes the node,
// any other replaces it.
func (t *NodeTable) Update(nodes []proto.NodeInfo) {
	for _, n := range nodes {
		if n.State == proto.NodeUnknown {
			delete(t.nodes, n.NID)
		} else {
			t.nodes[n.NID] = n
		}
	}
}

// Set adds or replaces one node.
func (t *NodeTable) Set(n proto.NodeInfo) { t.nodes[n.NID] = n }

// Remove forgets nid.
func (t *NodeTable) Remove(nid proto.NID) { delete(t.nodes, nid) }

// Get returns the node nid.
func (t *NodeTable) Get(nid proto.NID) (proto.NodeInfo, bool) {
	n, ok := t.nodes[nid]
	return n, ok
}

// Running reports whether nid is known and RUNNING.
func (t *NodeTable) Running(nid proto.NID) bool {
	n, ok := t.nodes[nid]
	return ok && n.State == proto.NodeRunning
}

// List returns the nodes of type typ (all types when typ is nil), sorted
// by type then NID as neoctl lists them.
func (t *NodeTable) List(typ *proto.NodeType) []proto.NodeInfo {
	out := make([]proto.NodeInfo, 0, len(t.nodes))
	for _, n := range t.nodes {
		if typ == nil || n.Type == *typ {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].NID < out[j].NID
	})
	return out
}
