package master

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// dispatch handles one request or notification from p.
func (m *Master) dispatch(p *peer, req link.Request) {
	if p.closed {
		return
	}
	if m.log.Enabled(context.Background(), slog.LevelDebug) {
		m.log.Debug("recv", "peer", peerName(p), "msg_id", req.MsgID, "packet", codeName(req.Msg), "args", proto.Format(req.Msg))
	}
	if p.node == nil {
		ri, ok := req.Msg.(*proto.RequestIdentification)
		if !ok {
			m.protocolError(p, req, fmt.Sprintf("unexpected packet: %s before identification", codeName(req.Msg)))
			return
		}
		m.identify(p, req, ri)
		return
	}
	n := p.node
	if m.common(p, req) {
		return
	}
	switch n.typ {
	case proto.Storage:
		m.storageRequest(p, n, req)
	case proto.Client:
		m.clientRequest(p, n, req)
	case proto.Admin:
		m.adminRequest(p, n, req)
	default:
		m.unexpected(p, req)
	}
}

func codeName(msg proto.Msg) string {
	if s, ok := proto.CodeName(msg.Code()); ok {
		return s
	}
	return fmt.Sprintf("packet %#x", msg.Code())
}

// unexpected is NEO/py's answer to a packet the handler has no method
// for: PROTOCOL_ERROR and close.
func (m *Master) unexpected(p *peer, req link.Request) {
	m.protocolError(p, req, fmt.Sprintf("unexpected packet: %s", codeName(req.Msg)))
}

// common handles what every handler of NEO/py's master answers.
func (m *Master) common(p *peer, req link.Request) bool {
	switch req.Msg.Code() {
	case proto.CodePing:
		m.answer(p, req, &proto.NoArgs{PacketCode: proto.CodePong})
	case proto.CodeAskClusterState:
		m.answer(p, req, &proto.ClusterStateMsg{PacketCode: proto.CodeAnswerClusterState, State: m.state})
	case proto.CodeAskRecovery:
		m.answer(p, req, &proto.AnswerRecovery{PTid: m.pt.id, BackupTid: proto.NoTid, TruncateTid: m.truncateTid})
	case proto.CodeAskLastIDs:
		if p.node.typ == proto.Client && p.node.backup {
			m.answerError(p, req, proto.ReadOnlyAccess, "read-only access because cluster is in backuping mode")
			break
		}
		m.answer(p, req, &proto.AnswerLastIDs{LastTid: m.tm.lastTID(m.lastTransaction), LastOid: m.tm.lastOID, FirstTid: m.tm.firstTID})
	case proto.CodeAskLastTransaction:
		m.answer(p, req, &proto.TidMsg{PacketCode: proto.CodeAnswerLastTransaction, Tid: m.lastTransaction})
	case proto.CodeFlushLog:
		if p.node.typ == proto.Admin {
			for _, n := range m.nodes.identifiedList() {
				if n != p.node {
					m.send(n, &proto.NoArgs{PacketCode: proto.CodeFlushLog})
				}
			}
		}
	case proto.CodeCloseClient, proto.CodeNotifyNodeInformation:
		// nothing to do
	default:
		return false
	}
	return true
}

// identify is NEO/py's IdentificationHandler.requestIdentification.
func (m *Master) identify(p *peer, req link.Request, ri *proto.RequestIdentification) {
	refuse := func(code proto.ErrorCode, text string) {
		m.log.Info("master: identification refused", "peer", p.l.RemoteAddr(), "type", ri.NodeType, "err", text)
		m.answerError(p, req, code, text)
		m.abort(p)
	}
	if ri.ClusterName != m.cfg.Cluster {
		m.log.Error("master: reject an alien cluster", "peer", p.l.RemoteAddr(), "name", ri.ClusterName)
		refuse(proto.ProtocolError, "invalid cluster name")
		return
	}
	if ri.Addr != nil && *ri.Addr == *m.self.addr {
		refuse(proto.ProtocolError, "address conflict")
		return
	}
	if m.second != nil {
		m.notPrimary(p, ri)
		return
	}
	extra, err := proto.ParseExtra(ri.Extra)
	if err != nil {
		refuse(proto.ProtocolError, err.Error())
		return
	}
	n, nid, ok := m.identifiedNode(ri)
	if !ok {
		refuse(proto.ProtocolError, "already connected")
		return
	}
	state := proto.NodeRunning
	switch ri.NodeType {
	case proto.Client:
		if m.state != proto.Running {
			refuse(proto.NotReady, "Retry Later")
			return
		}
	case proto.Storage:
		known := nid != proto.NoNID && n != nil
		if m.phase == phaseRecovery || !known {
			state = proto.NodePending
		}
		if ri.Addr == nil {
			// A storage started with --new-nid (a copy of another's
			// database): it gets a NID, out-of-date cells where its
			// database has some, and leaves (DOWN) to restart with it.
			if m.state == proto.Recovering {
				refuse(proto.NotReady, "Retry Later")
				return
			}
			if ri.NID != proto.NoNID || len(extra.NewNID) == 0 {
				refuse(proto.ProtocolError, "")
				return
			}
			for _, p := range extra.NewNID {
				if int(p) >= m.pt.np {
					refuse(proto.ProtocolError, fmt.Sprintf("partition %d out of range", p))
					return
				}
			}
			state = proto.NodeDown
		}
	case proto.Master:
		if m.electing() && !proto.IsNoTime(ri.IDTimestamp) && ri.Addr != nil &&
			electionLess(ri.IDTimestamp, ri.Addr, m.primaryTime, m.self.addr) {
			// It started first: it is the primary.
			primary := m.nodes.byAddr(ri.Addr)
			if primary == nil {
				primary = &node{typ: proto.Master, addr: ri.Addr, state: proto.NodeDown, idTime: proto.NoTime}
				m.nodes.add(primary)
			}
			m.abort(p)
			m.becomeSecondary(primary, nil, nil)
			return
		}
	case proto.Admin:
	default:
		refuse(proto.ProtocolError, "")
		return
	}
	nid, err = m.newNID(nid, ri.Addr, ri.NodeType)
	if err != nil {
		refuse(proto.ProtocolError, err.Error())
		return
	}
	if n == nil {
		n = &node{typ: ri.NodeType, addr: ri.Addr}
		m.nodes.add(n)
	}
	n.typ, n.nid = ri.NodeType, nid
	n.devpath = extra.Devpath
	// A backup cluster (a client with a backup name) gets partitions
	// invalidated, and is read-only unless it says otherwise.
	n.backup = len(extra.Backup) > 0 && ri.NodeType == proto.Client
	n.readOnly = extra.HasBackup
	if extra.HasReadOnly {
		n.readOnly = extra.ReadOnly
	}
	n.idTime = m.clock.now()
	n.state = state
	m.log.Info("master: accept", "type", ri.NodeType, "nid", nid, "state", state)
	m.broadcastNodes([]*node{n})
	if len(extra.NewNID) > 0 && n.typ == proto.Storage && ri.Addr == nil {
		var changes []proto.CellChange
		for _, p := range extra.NewNID {
			changes = append(changes, proto.CellChange{Partition: p, NID: nid, State: proto.OutOfDate})
			m.pt.setCell(int(p), n, proto.OutOfDate)
		}
		m.broadcastPartitionChanges(changes, nil)
	}
	n.peer, p.node = p, n
	m.answer(p, req, &proto.AcceptIdentification{NodeType: proto.Master, MyNID: m.self.nid, YourNID: nid})
	m.notifyNodeInformation(n)
	switch n.typ {
	case proto.Storage:
		m.storageHandlerSwitched(n, true)
	case proto.Client, proto.Admin:
		m.sendPartitionTable(n)
	}
}

// identifiedNode finds the node a RequestIdentification is from, by NID
// and by address, refusing (ok false) a node already connected. nid is
// the NID the peer may keep (NoNID: give it a new one).
func (m *Master) identifiedNode(ri *proto.RequestIdentification) (n *node, nid proto.NID, ok bool) {
	nid = ri.NID
	n = m.nodes.byNID(nid)
	byAddr := m.nodes.byAddr(ri.Addr)
	switch {
	case byAddr != nil:
		if !byAddr.identified() {
			if n == byAddr {
				return n, nid, true
			}
			if n == nil || nid < 0 {
				// A temporary id in conflict with an address: new id.
				return byAddr, nid, true
			}
		}
	case n != nil:
		if n.identified() {
			if nid < 0 {
				// The peer wants a temporary id already given: another.
				return nil, proto.NoNID, true
			}
		} else {
			if n == m.self {
				return nil, nid, true
			}
			n.addr = ri.Addr
			return n, nid, true
		}
	default:
		return nil, nid, true
	}
	return nil, nid, false
}

// newNID is NEO/py's getNewUUID: the NID asked if it is free (or the
// node at that address has it), else the first free one of the type's
// namespace.
func (m *Master) newNID(nid proto.NID, addr *proto.Address, typ proto.NodeType) (proto.NID, error) {
	if nid != proto.NoNID && nid != m.self.nid {
		if n := m.nodes.byNID(nid); n == nil || sameAddr(n.addr, addr) {
			return nid, nil
		}
	}
	for i := uint32(1); i <= 0xffffff; i++ {
		c, err := link.MakeNID(typ, i)
		if err != nil {
			return proto.NoNID, err
		}
		if n := m.nodes.byNID(c); n == nil || (addr != nil && sameAddr(addr, n.addr)) {
			return c, nil
		}
	}
	return proto.NoNID, fmt.Errorf("no free NID for %v", typ)
}

func peerName(p *peer) string {
	if p.node != nil {
		return p.node.nid.String()
	}
	return p.l.RemoteAddr().String()
}
