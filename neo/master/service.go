package master

import (
	"errors"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// maxNewOIDs bounds one AskNewOIDs (NEO/py clients ask 100).
const maxNewOIDs = 1 << 16

// storageRequest handles a storage's packets (NEO/py's recovery,
// verification and storage service handlers).
func (m *Master) storageRequest(p *peer, n *node, req link.Request) {
	switch msg := req.Msg.(type) {
	case *proto.TidMsg:
		switch msg.Code() {
		case proto.CodeNotifyPackCompleted:
			n.completedPack, n.hasCompletedPack = msg.Tid, true
			if m.phase == phaseService {
				m.updateCompletedPack()
			}
			return
		case proto.CodeAskPackOrders:
			m.answer(p, req, &proto.AnswerPackOrders{Orders: m.pm.dump(msg.Tid, true)})
			return
		}
	case *proto.NoArgs:
		if msg.Code() == proto.CodeNotifyReady {
			// Late after the cluster stopped operating: nothing to do
			// (NEO/py would take it as unexpected and drop the storage).
			if m.phase == phaseService {
				m.setStorageReady(n.nid)
			}
			return
		}
	case *proto.AskUnfinishedTransactions:
		if m.phase == phaseService {
			m.answer(p, req, &proto.AnswerUnfinishedTransactions{LastTid: m.lastTransaction, Pending: m.tm.registerForNotification(n.nid)})
			m.pt.markUpdatable(n.nid, msg.Partitions)
			return
		}
	case *proto.NotifyReplicationDone:
		if m.phase == phaseService {
			changes, err := m.pt.setUpToDate(n, int(msg.Partition))
			if err != nil {
				m.protocolError(p, req, err.Error())
				return
			}
			if len(changes) == 0 {
				m.log.Info("master: ignored late notification of replication", "storage", n.nid, "partition", msg.Partition, "tid", msg.Tid)
				return
			}
			m.broadcastPartitionChanges(changes, nil)
			return
		}
	case *proto.NotifyPartitionCorrupted:
		m.log.Error("master: partition corrupted", "partition", msg.Partition, "nodes", msg.NIDs)
		return
	}
	m.unexpected(p, req)
}

// clientRequest handles a client's packets (NEO/py's ClientServiceHandler
// and its read-only variant).
func (m *Master) clientRequest(p *peer, n *node, req link.Request) {
	if n.readOnly {
		switch req.Msg.Code() {
		case proto.CodeAskBeginTransaction, proto.CodeAskNewOIDs, proto.CodeAskFinishTransaction, proto.CodeAskFinalTID, proto.CodeAbortTransaction:
			text := "read-only access as requested by the client"
			if n.backup {
				text = "read-only access because cluster is in backuping mode"
			}
			m.answerError(p, req, proto.ReadOnlyAccess, text)
			return
		}
	}
	switch msg := req.Msg.(type) {
	case *proto.TidMsg:
		switch msg.Code() {
		case proto.CodeAskBeginTransaction:
			m.beginTransaction(p, n, req, msg.Tid)
			return
		case proto.CodeAskFinalTID:
			m.askFinalTID(p, n, req, msg.Tid)
			return
		case proto.CodeAskPackOrders:
			m.answer(p, req, &proto.AnswerPackOrders{Orders: m.pm.dump(msg.Tid, false)})
			return
		case proto.CodeWaitForPack:
			m.waitForPack(p, req, msg.Tid)
			return
		}
	case *proto.AskNewOIDs:
		if msg.NumOids > maxNewOIDs {
			m.protocolError(p, req, "too many oids asked")
			return
		}
		m.answer(p, req, &proto.AnswerNewOIDs{Oids: m.tm.nextOIDs(msg.NumOids)})
		return
	case *proto.FailedVote:
		m.failedVote(p, req, msg)
		return
	case *proto.AskFinishTransaction:
		m.finishTransaction(p, n, req, msg)
		return
	case *proto.AbortTransaction:
		m.abortTransaction(p, n, req, msg.TTid, msg.NIDs)
		return
	}
	m.unexpected(p, req)
}

func (m *Master) beginTransaction(p *peer, n *node, req link.Request, tid zodb.Tid) {
	// Wait while storages are starting: the client must know which
	// storages have to get the whole transaction.
	if len(m.storageStarting) > 0 || m.stopping {
		m.tm.delay(func() bool {
			if p.closed {
				return true
			}
			if len(m.storageStarting) > 0 || m.stopping {
				return false
			}
			m.beginTransaction(p, n, req, tid)
			return true
		})
		return
	}
	ttid, err := m.tm.begin(m, n, tid)
	if err != nil {
		m.protocolError(p, req, err.Error())
		return
	}
	m.answer(p, req, &proto.TidMsg{PacketCode: proto.CodeAnswerBeginTransaction, Tid: ttid})
}

func (m *Master) failedVote(p *peer, req link.Request, msg *proto.FailedVote) {
	ok, err := m.tm.vote(m, msg.TTid, msg.NIDs)
	var d errDelay
	switch {
	case errors.As(err, &d):
		m.tm.delay(func() bool {
			if p.closed {
				return true
			}
			ok, err := m.tm.vote(m, msg.TTid, msg.NIDs)
			if errors.As(err, &d) {
				return false
			}
			m.answerVote(p, req, ok, err)
			return true
		})
	default:
		m.answerVote(p, req, ok, err)
	}
}

func (m *Master) answerVote(p *peer, req link.Request, ok bool, err error) {
	switch {
	case err != nil:
		m.protocolError(p, req, err.Error())
	case ok:
		m.answerError(p, req, proto.Ack, "")
	default:
		m.answerError(p, req, proto.IncompleteTransaction, "")
	}
}

func (m *Master) finishTransaction(p *peer, n *node, req link.Request, msg *proto.AskFinishTransaction) {
	if msg.Pack != nil {
		if t := msg.Pack.Tid; t == proto.NoTid || t == 0 || t > m.lastTransaction {
			m.protocolError(p, req, "invalid pack time")
			return
		}
	}
	tid, nodes, err := m.tm.prepare(m, msg.TTid, msg.Oids, msg.Deleted, msg.Checked, req)
	if err != nil {
		m.protocolError(p, req, err.Error())
		return
	}
	if tid == 0 {
		m.answerError(p, req, proto.IncompleteTransaction, "")
		m.abortTransaction(p, n, link.Request{}, msg.TTid, nidList(m.storageReadySet(allReady)))
		return
	}
	t := m.tm.byTTid[msg.TTid]
	if msg.Pack != nil {
		t.pack = m.pm.newPack(tid, msg.Pack)
	}
	lock := &proto.AskLockInformation{TTid: msg.TTid, Tid: tid, Pack: t.pack}
	for _, s := range nodes {
		s := s
		m.ask(s, lock, func(a proto.Msg) {
			if m.state != proto.Running && m.state != proto.Stopping {
				return
			}
			if l, ok := a.(*proto.TidMsg); ok {
				m.tm.lock(m, l.Tid, s.nid)
			}
		})
	}
}

func nidList(s map[proto.NID]bool) []proto.NID {
	out := make([]proto.NID, 0, len(s))
	for nid := range s {
		out = append(out, nid)
	}
	return out
}

func (m *Master) askFinalTID(p *peer, n *node, req link.Request, ttid zodb.Tid) {
	tid := proto.MaxTid // committed: ask the storages
	if m.tm.lastTID(m.lastTransaction) < ttid {
		tid = proto.NoTid // invalid ttid, or aborted transaction
	} else if t := m.tm.byTTid[ttid]; t != nil {
		// Being finished: answered when it is.
		t.notify[n.nid] = true
		t.notifyReq[n.nid] = req
		return
	}
	m.answer(p, req, &proto.TidMsg{PacketCode: proto.CodeAnswerFinalTID, Tid: tid})
}

func (m *Master) abortTransaction(p *peer, n *node, req link.Request, ttid zodb.Tid, nids []proto.NID) {
	involved, err := m.tm.abort(ttid)
	if err != nil {
		if req.Msg != nil {
			m.protocolError(p, req, err.Error())
		}
		return
	}
	for _, nid := range nids {
		involved[nid] = true
	}
	m.notifyTransactionAborted(ttid, involved)
}
