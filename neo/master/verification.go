package master

import (
	"sort"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// verification is NEO/py's VerificationManager: finish the transactions
// left locked by storages, learn the last tid and oid, then start
// service. Each step asks a set of storages and goes on when all
// answered (or were lost).
type verification struct {
	m       *Master
	waiting map[proto.NID]bool
	next    func()

	locked  map[zodb.Tid]zodb.Tid // ttid -> tid
	voted   map[zodb.Tid]map[proto.NID]bool
	ttids   []zodb.Tid // keys of voted, in the order learnt
	lastTid zodb.Tid
	final   zodb.Tid // last AnswerFinalTID
}

func (m *Master) startVerification() {
	m.phase = phaseVerification
	v := &verification{m: m, locked: map[zodb.Tid]zodb.Tid{}, voted: map[zodb.Tid]map[proto.NID]bool{}, lastTid: 0}
	m.ver = v
	m.changeClusterState(proto.Verifying)
	m.tm.reset()
	// Transactions possibly partially finished, from the readable cells.
	v.askAll(m.pt.nodeSet(true), &proto.NoArgs{PacketCode: proto.CodeAskLockedTransactions}, v.answerLocked, v.finalTIDs)
}

// askAll asks req to nodes; onAnswer runs for each answer and then next
// once none is awaited anymore.
func (v *verification) askAll(nodes []*node, req proto.Msg, onAnswer func(*node, proto.Msg), next func()) {
	v.waiting = map[proto.NID]bool{}
	v.next = next
	for _, n := range nodes {
		if n.identified() {
			v.waiting[n.nid] = true
			n := n
			v.m.ask(n, req, func(a proto.Msg) {
				if v.m.ver != v || !v.waiting[n.nid] {
					return
				}
				delete(v.waiting, n.nid)
				onAnswer(n, a)
				v.maybeNext()
			})
		}
	}
	v.maybeNext()
}

func (v *verification) maybeNext() {
	if len(v.waiting) > 0 || v.next == nil || v.m.ver != v || v.m.phase != phaseVerification || v.m.stopOp || v.m.stopping {
		return
	}
	next := v.next
	v.next = nil
	next()
}

func (v *verification) storageLost(n *node) {
	delete(v.waiting, n.nid)
	// The next step comes after the loss is handled, and only if the
	// cluster is still operational: progress calls maybeNext.
}

func (v *verification) answerLocked(n *node, a proto.Msg) {
	ans, ok := a.(*proto.AnswerLockedTransactions)
	if !ok {
		return
	}
	for _, e := range ans.Locked {
		if e.Tid != proto.NoTid && e.Tid != 0 {
			v.locked[e.TTid] = e.Tid
		}
		if v.voted[e.TTid] == nil {
			v.voted[e.TTid] = map[proto.NID]bool{}
			v.ttids = append(v.ttids, e.TTid)
		}
		v.voted[e.TTid][n.nid] = true
	}
}

// finalTIDs asks, for each transaction voted but not known locked, the
// storages with readable cells of its partition that did not vote it,
// one after the other, whether it was committed.
func (v *verification) finalTIDs() {
	m := v.m
	type query struct {
		ttid  zodb.Tid
		nodes []*node
	}
	var queries []query
	for _, ttid := range v.ttids {
		if _, ok := v.locked[ttid]; ok {
			continue
		}
		var nodes []*node
		for _, c := range m.pt.cellList(m.pt.partition(uint64(ttid)), true) {
			if c.node.identified() && !v.voted[ttid][c.node.nid] {
				nodes = append(nodes, c.node)
			}
		}
		queries = append(queries, query{ttid, nodes})
	}
	var step func(qi, ni int)
	step = func(qi, ni int) {
		for qi < len(queries) && ni >= len(queries[qi].nodes) {
			qi, ni = qi+1, 0
		}
		if qi == len(queries) {
			v.validate()
			return
		}
		q := queries[qi]
		v.final = proto.NoTid
		v.askAll([]*node{q.nodes[ni]}, &proto.TidMsg{PacketCode: proto.CodeAskFinalTID, Tid: q.ttid}, func(_ *node, a proto.Msg) {
			if t, ok := a.(*proto.TidMsg); ok {
				v.final = t.Tid
			}
		}, func() {
			if v.final != proto.NoTid {
				v.locked[q.ttid] = v.final
				step(qi+1, 0)
			} else {
				step(qi, ni+1)
			}
		})
	}
	step(0, 0)
}

// validate finishes the transactions known committed on the storages
// that voted them, then asks the last ids.
func (v *verification) validate() {
	m := v.m
	ttids := make([]zodb.Tid, 0, len(v.locked))
	for ttid := range v.locked {
		ttids = append(ttids, ttid)
	}
	sort.Slice(ttids, func(i, j int) bool { return ttids[i] < ttids[j] })
	for _, ttid := range ttids {
		msg := &proto.TidPair{PacketCode: proto.CodeValidateTransaction, TTid: ttid, Tid: v.locked[ttid]}
		for _, n := range m.nodes.identifiedList() {
			if v.voted[ttid][n.nid] {
				m.send(n, msg)
			}
		}
	}
	v.askAll(m.nodes.ofType(proto.Storage, true), &proto.NoArgs{PacketCode: proto.CodeAskLastIDs}, v.answerLastIDs, v.packOrders)
}

func (v *verification) answerLastIDs(n *node, a proto.Msg) {
	ans, ok := a.(*proto.AnswerLastIDs)
	if !ok {
		return
	}
	if ans.LastTid != proto.NoTid && ans.LastTid > v.lastTid {
		v.lastTid = ans.LastTid
	}
	v.m.tm.setLastOID(ans.LastOid)
	v.m.tm.setFirstTID(ans.FirstTid)
}

// packOrders asks the pack orders after the last pack all storages
// completed.
func (v *verification) packOrders() {
	m := v.m
	m.lastTransaction = v.lastTid
	m.truncateTid = proto.NoTid // the storages truncated when answering
	nodes := m.pt.nodeSet(true)
	packID := zodb.Tid(0)
	first := true
	for _, n := range nodes {
		if n.hasCompletedPack && (first || n.completedPack < packID) {
			packID, first = n.completedPack, false
		}
	}
	if !first {
		packID++
	}
	m.pm.reset()
	v.askAll(nodes, &proto.TidMsg{PacketCode: proto.CodeAskPackOrders, Tid: packID}, func(_ *node, a proto.Msg) {
		if po, ok := a.(*proto.AnswerPackOrders); ok {
			for _, o := range po.Orders {
				m.pm.add(o)
			}
		}
	}, m.startService)
}

func (m *Master) startService() {
	m.log.Info("master: provide service")
	m.phase = phaseService
	m.ver = nil
	m.changeClusterState(proto.Running)
}
