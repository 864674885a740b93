package master

import (
	"fmt"
	"strings"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// adminRequest handles what the admin relays from neoctl (NEO/py's
// AdministrationHandler). Requests registered with error=True are
// answered by Error: ACK with a text on success, DENIED with NEO/py's
// text otherwise.
func (m *Master) adminRequest(p *peer, n *node, req link.Request) {
	ack := func(text string) { m.answerError(p, req, proto.Ack, text) }
	deny := func(text string) { m.answerError(p, req, proto.Denied, text) }
	// NEO/py's check_state for the requests changing the table.
	running := func(name string) bool {
		if m.state != proto.Running {
			deny(fmt.Sprintf("%s RPC can not be used in %s state", name, m.state))
			return false
		}
		return true
	}
	switch msg := req.Msg.(type) {
	case *proto.ClusterStateMsg:
		if msg.Code() == proto.CodeSetClusterState {
			m.setClusterState(msg.State, ack, deny)
			return
		}
	case *proto.SetNodeState:
		m.setNodeState(msg.NID, msg.State, ack, deny)
		return
	case *proto.AddPendingNodes:
		if running("addPendingNodes") {
			m.addPendingNodes(msg.NIDs, ack)
		}
		return
	case *proto.SetNumReplicas:
		if running("setNumReplicas") {
			nr := int(msg.NumReplicas)
			m.broadcastPartitionChanges(nil, &nr)
			ack("")
		}
		return
	case *proto.TweakPartitionTable:
		if running("tweakPartitionTable") {
			m.tweakPartitionTable(p, req, msg, deny)
		}
		return
	case *proto.Repair:
		var nodes []*node
		for _, nid := range msg.NIDs {
			x := m.nodes.byNID(nid)
			if x == nil || x.typ != proto.Storage || !x.identified() {
				deny(fmt.Sprintf("invalid storage node %s", nid))
				return
			}
			nodes = append(nodes, x)
		}
		for _, x := range nodes {
			m.send(x, &proto.NotifyRepair{DryRun: msg.DryRun})
		}
		ack("")
		return
	case *proto.TidMsg:
		if msg.Code() == proto.CodeTruncate {
			if running("truncate") {
				m.truncate(msg.Tid, ack, deny)
			}
			return
		}
	case *proto.CheckReplicas:
		m.checkReplicas(msg)
		ack("")
		return
	}
	m.unexpected(p, req)
}

func (m *Master) setClusterState(s proto.ClusterState, ack, deny func(string)) {
	switch s {
	case proto.Verifying:
		if m.state != proto.Recovering {
			deny("Can not switch to this state")
			return
		}
		storages := m.nodes.ofType(proto.Storage, true)
		if len(storages) == 0 {
			deny("Cannot exit recovery without any storage node")
			return
		}
		for _, x := range storages {
			if x.peer.pending > 0 {
				deny(fmt.Sprintf("Cannot exit recovery now: node %s is entering cluster", x.nid))
				return
			}
		}
		m.startupAllowed = true
		ack("Cluster state changed")
	case proto.Stopping:
		ack("Cluster state changed")
		if m.state != proto.Stopping {
			m.beginShutdown()
		}
	case proto.StartingBackup:
		switch {
		case m.state != proto.Running:
			deny("Can not switch to this state")
		case m.tm.hasPending() || len(m.nodes.ofType(proto.Client, true)) > 0:
			deny(fmt.Sprintf("Can not switch to %s state with pending transactions or connected clients", s))
		default:
			// Backup clusters are not supported.
			deny("No upstream cluster to backup defined in configuration")
		}
	case proto.StoppingBackup:
		deny("Can not switch to this state")
	default:
		deny("Invalid state requested")
	}
}

func (m *Master) setNodeState(nid proto.NID, s proto.NodeState, ack, deny func(string)) {
	m.log.Info("master: set node state", "nid", nid, "state", s)
	n := m.nodes.byNID(nid)
	if n == nil {
		deny("unknown node")
		return
	}
	allowed := false
	switch n.typ {
	case proto.Master:
		allowed = s == proto.NodeDown
	case proto.Storage:
		allowed = s == proto.NodeDown || s == proto.NodeUnknown
	}
	if !allowed {
		deny(fmt.Sprintf("can not switch node to %s state", s))
		return
	}
	if n == m.self {
		deny("can not kill primary master node")
		return
	}
	changed := s != n.state
	text := "state changed"
	if !changed {
		text = fmt.Sprintf("node already in %s state", s)
	}
	if n.typ == proto.Storage {
		keep := s == proto.NodeDown
		if n.state == proto.NodeRunning && !keep {
			deny("a running node must be stopped before removal")
			return
		}
		changes, err := m.pt.dropNodeList([]*node{n}, keep)
		if err != nil {
			deny(err.Error())
			return
		}
		n.state = s
		if n.peer != nil {
			// Tell the node itself so that it shuts down, and close
			// so that the closure is not handled as a lost node.
			p := n.peer
			m.send(n, &proto.NotifyNodeInformation{Timestamp: m.clock.now(), Nodes: []proto.NodeInfo{n.info()}})
			n.peer = nil
			p.node = nil
			m.setStorageNotReady(n.nid)
			m.tm.storageLost(m, n.nid)
			m.abort(p)
		}
		if keep {
			changes = m.pt.outdate(nil)
		} else if len(changes) > 0 {
			text = "node permanently removed"
		}
		m.broadcastPartitionChanges(changes, nil)
	} else {
		n.state = s
	}
	ack(text)
	if changed {
		if n.peer != nil {
			m.send(n, &proto.NotifyNodeInformation{Timestamp: m.clock.now(), Nodes: []proto.NodeInfo{n.info()}})
		}
		m.broadcastNodes([]*node{n})
		if s == proto.NodeUnknown {
			m.nodes.remove(n)
		}
	}
}

func (m *Master) addPendingNodes(nids []proto.NID, ack func(string)) {
	var pending []*node
	for _, x := range m.nodes.ofType(proto.Storage, false) {
		if x.state == proto.NodePending && containsNID(nids, x.nid) {
			pending = append(pending, x)
		}
	}
	added := m.pt.addNodeList(pending)
	if len(added) == 0 {
		m.log.Warn("master: no node added")
		ack("No node added")
		return
	}
	names := make([]string, len(added))
	for i, x := range added {
		x.state = proto.NodeRunning
		m.startStorage(x)
		names[i] = x.nid.String()
	}
	m.broadcastNodes(added)
	ack("Nodes added: " + strings.Join(names, ", "))
}

func containsNID(l []proto.NID, nid proto.NID) bool {
	for _, x := range l {
		if x == nid {
			return true
		}
	}
	return false
}

func (m *Master) tweakPartitionTable(p *peer, req link.Request, msg *proto.TweakPartitionTable, deny func(string)) {
	var drop []*node
	for _, x := range m.nodes.ofType(proto.Storage, false) {
		if containsNID(msg.NIDs, x.nid) || x.state == proto.NodePending {
			drop = append(drop, x)
		} else if x.state != proto.NodeRunning {
			deny("tweak: down nodes must be listed explicitly")
			return
		}
	}
	pt := m.pt
	if msg.DryRun {
		pt = m.pt.clone()
	}
	changes, err := pt.tweak(drop)
	if err != nil {
		deny(err.Error())
		return
	}
	if !msg.DryRun {
		m.broadcastPartitionChanges(changes, nil)
	}
	m.answer(p, req, &proto.AnswerTweakPartitionTable{Changed: len(changes) > 0, Rows: pt.rowList()})
}

// checkReplicas asks one storage per partition to check its cells
// against the others (NEO/py's checkReplicas, without backup).
func (m *Master) checkReplicas(msg *proto.CheckReplicas) {
	maxTid := msg.MaxTid
	if maxTid == proto.NoTid || maxTid == 0 {
		maxTid = m.lastTransaction
	}
	if msg.MinTid > maxTid {
		m.log.Warn("master: nothing to check", "min_tid", msg.MinTid, "max_tid", maxTid)
		return
	}
	used := map[*node]bool{}
	for _, ref := range msg.Partitions {
		if int(ref.Partition) >= m.pt.np {
			continue
		}
		cells := m.pt.cellList(int(ref.Partition), true)
		if len(cells) <= 1 {
			continue
		}
		// NEO/py's choice: a node already checking another partition,
		// else the last readable cell's.
		var checker *node
		again := false
		for _, c := range cells {
			checker = c.node
			if used[checker] {
				again = true
				break
			}
		}
		if !again {
			used[checker] = true
		}
		var src *proto.Address
		if ref.NID != proto.NoNID {
			if x := m.nodes.byNID(ref.NID); x != nil {
				src = x.addr
			}
		}
		m.send(checker, &proto.CheckPartition{Partition: ref.Partition, SourceAddr: src, MinTid: msg.MinTid, MaxTid: maxTid})
	}
}

// truncate is neoctl truncate: the cluster stops, the storages are told
// to drop what was committed after tid, and it restarts.
func (m *Master) truncate(tid zodb.Tid, ack, deny func(string)) {
	switch {
	case m.lastTransaction <= tid:
		deny("Truncating after last transaction does nothing")
	case m.tm.firstTID > tid:
		deny("Truncating before first transaction is probably not what you intended to do")
	default:
		for ptid, p := range m.pm.packs {
			if ptid > tid && p.Approved == proto.Approved {
				deny("Can not truncate before an approved pack")
				return
			}
		}
		if m.pm.hasMaxCompleted && m.pm.maxCompleted > tid {
			deny("Can not truncate before an approved pack")
			return
		}
		ack("")
		m.stopOp = true
		m.stopTruncate = tid
	}
}
