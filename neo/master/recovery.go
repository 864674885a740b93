package master

import (
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

const handshakeTimeout = 10 * time.Second

// recovery is NEO/py's RecoveryManager: find the newest partition table
// among the storages, or make one when the cluster may start.
type recovery struct {
	m          *Master
	targetPTid proto.PTid
	askPT      []proto.NID // storages holding targetPTid, the first asked
	loaded     bool        // the target table was received
	truncate   map[proto.NID]zodb.Tid
}

func (m *Master) startRecovery() {
	m.log.Info("master: begin the recovery of the status")
	m.phase = phaseRecovery
	m.rec = &recovery{m: m, truncate: map[proto.NID]zodb.Tid{}}
	m.ver = nil
	m.pt = newPTable(int(m.cfg.Partitions), int(m.cfg.Replicas))
	m.pt.log = m.log
	m.changeClusterState(proto.Recovering)
	m.challengeMasters()
}

// check is the test NEO/py's recovery loop makes after each event: can
// the cluster start, and with which storages? It returns true when
// recovery ended (and verification began).
func (r *recovery) check() bool {
	m := r.m
	pt := m.pt
	var nodes []*node
	switch {
	case pt.filled():
		// A table exists: we start an existing cluster.
		nodes = pt.operationalNodeSet()
		if m.startupAllowed {
			var pending []*node
			for _, n := range nodes {
				if n.state == proto.NodePending {
					pending = append(pending, n)
				}
			}
			nodes = pending
		} else if len(nodes) > 0 {
			if m.truncateTid != proto.NoTid {
				nodes = pt.nodeSet(false) // all must be there to truncate
			}
			for _, n := range nodes {
				if n.state != proto.NodePending {
					return false
				}
			}
		}
	case m.startupAllowed || m.cfg.Autostart > 0:
		// No table: a new cluster out of all pending storages.
		nodes = m.nodes.ofType(proto.Storage, true)
		if !m.startupAllowed && len(nodes) < m.cfg.Autostart {
			return false
		}
	default:
		return false
	}
	if len(nodes) == 0 {
		return false
	}
	for _, n := range nodes {
		if n.peer == nil || n.peer.pending > 0 || n.peer.dead {
			return false
		}
	}
	if pt.filled() {
		if m.truncateTid != proto.NoTid && r.truncateLagging() {
			return false
		}
		nodes = nodes[:0]
		for _, n := range pt.nodeSet(false) {
			if n.identified() {
				nodes = append(nodes, n)
			}
		}
	}
	r.finish(nodes)
	return true
}

// finish starts the cluster with nodes.
func (r *recovery) finish(nodes []*node) {
	m := r.m
	m.log.Info("master: startup allowed")
	for _, n := range nodes {
		n.state = proto.NodeRunning
	}
	m.broadcastNodes(nodes)
	if m.pt.id == proto.NoPTid {
		m.log.Info("master: creating a new partition table")
		if err := m.pt.make(nodes); err != nil {
			m.fatal = err
			m.exit = true
			return
		}
		r.notifyAdmins(&proto.PartitionTable{PacketCode: proto.CodeSendPartitionTable, PTid: m.pt.id, NumReplicas: uint32(m.pt.nr), Rows: m.pt.rowList()})
	} else if changes := m.pt.outdate(nil); len(changes) > 0 {
		m.pt.id++
		r.notifyAdmins(&proto.NotifyPartitionChanges{PTid: m.pt.id, NumReplicas: uint32(m.pt.nr), Cells: changes})
	}
	m.startVerification()
}

// truncateLagging sends Truncate to the storages that did not record the
// truncation yet, and asks their recovery again; it reports whether any.
func (r *recovery) truncateLagging() bool {
	m := r.m
	sent := false
	for nid, tid := range r.truncate {
		if tid != proto.NoTid && tid <= m.truncateTid {
			continue
		}
		n := m.nodes.byNID(nid)
		if n == nil || !n.identified() {
			continue
		}
		m.send(n, &proto.TidMsg{PacketCode: proto.CodeTruncate, Tid: m.truncateTid})
		m.storageHandlerSwitched(n, false)
		sent = true
	}
	return sent
}

func (r *recovery) notifyAdmins(msgs ...proto.Msg) {
	for _, n := range r.m.nodes.ofType(proto.Admin, true) {
		for _, msg := range msgs {
			r.m.send(n, msg)
		}
	}
}

func (r *recovery) answerRecovery(n *node, a proto.Msg) {
	ans, ok := a.(*proto.AnswerRecovery)
	if !ok || r.m.phase != phaseRecovery || r.m.rec != r {
		return
	}
	r.truncate[n.nid] = ans.TruncateTid
	if ans.PTid == proto.NoPTid || ans.PTid < r.targetPTid {
		return
	}
	switch {
	case ans.PTid == r.targetPTid && len(r.askPT) > 0:
		r.askPT = append(r.askPT, n.nid) // another one is asked already
	case ans.PTid > r.targetPTid || !r.loaded:
		r.targetPTid = ans.PTid
		r.askPT = []proto.NID{n.nid}
		r.loaded = false
		r.askPartitionTable(n)
	}
}

func (r *recovery) askPartitionTable(n *node) {
	r.m.ask(n, &proto.NoArgs{PacketCode: proto.CodeAskPartitionTable}, func(a proto.Msg) { r.answerPartitionTable(n, a) })
}

func (r *recovery) answerPartitionTable(n *node, a proto.Msg) {
	m := r.m
	ans, ok := a.(*proto.PartitionTable)
	if !ok || m.phase != phaseRecovery || m.rec != r || ans.PTid != r.targetPTid {
		return
	}
	if len(ans.Rows) == 0 {
		m.log.Error("master: storage sent a partition table without partitions", "storage", n.nid)
		return
	}
	var created []proto.NodeInfo
	err := m.pt.load(ans.PTid, int(ans.NumReplicas), ans.Rows, func(nid proto.NID) *node {
		x := m.nodes.byNID(nid)
		if x == nil {
			x = &node{typ: proto.Storage, nid: nid, state: proto.NodeDown, idTime: proto.NoTime}
			m.nodes.add(x)
			created = append(created, x.info())
		}
		return x
	})
	if err != nil {
		m.log.Error("master: bad partition table", "storage", n.nid, "err", err)
		m.pt = newPTable(int(m.cfg.Partitions), int(m.cfg.Replicas))
		return
	}
	r.notifyAdmins(&proto.NotifyNodeInformation{Timestamp: m.clock.now(), Nodes: nonNil(created)},
		&proto.PartitionTable{PacketCode: proto.CodeSendPartitionTable, PTid: ans.PTid, NumReplicas: ans.NumReplicas, Rows: ans.Rows})
	r.askPT = nil
	r.loaded = true
	if t, ok := r.truncate[n.nid]; ok {
		m.truncateTid = t
	}
}

func nonNil(l []proto.NodeInfo) []proto.NodeInfo {
	if l == nil {
		return []proto.NodeInfo{}
	}
	return l
}

// storageLost: the next storage with the newest table is asked for it;
// the node becomes DOWN.
func (r *recovery) storageLost(n *node) {
	m := r.m
	delete(r.truncate, n.nid)
	for i, nid := range r.askPT {
		if nid != n.nid {
			continue
		}
		r.askPT = append(r.askPT[:i:i], r.askPT[i+1:]...)
		if i == 0 {
			if len(r.askPT) > 0 {
				if next := m.nodes.byNID(r.askPT[0]); next != nil {
					r.askPartitionTable(next)
				}
			} else {
				m.log.Warn("master: waiting for a storage with the newest partition table to come back", "ptid", r.targetPTid)
			}
		}
		break
	}
	if n.state == proto.NodeDown {
		return
	}
	n.state = proto.NodeDown
	m.broadcastNodes([]*node{n})
}
