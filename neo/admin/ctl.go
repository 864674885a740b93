package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// forwarded are the codes of the requests the admin passes to the master
// as they are.
var forwarded = map[uint16]bool{
	proto.CodeAddPendingNodes:     true,
	proto.CodeAskLastIDs:          true,
	proto.CodeAskLastTransaction:  true,
	proto.CodeAskRecovery:         true,
	proto.CodeCheckReplicas:       true,
	proto.CodeRepair:              true,
	proto.CodeSetClusterState:     true,
	proto.CodeSetNodeState:        true,
	proto.CodeSetNumReplicas:      true,
	proto.CodeTruncate:            true,
	proto.CodeTweakPartitionTable: true,
}

// serveCtlRequest handles one request of a neoctl connection (NEO/py's
// AdminEventHandler): every request needs the primary master.
func (a *Admin) serveCtlRequest(l *link.Link, req link.Request) {
	code := req.Msg.Code()
	a.mu.Lock()
	ml := a.mu.master
	if ml == nil {
		a.mu.Unlock()
		l.Answer(req, &proto.Error{ErrCode: proto.NotReady, Message: notConnected})
		l.Close()
		return
	}
	if forwarded[code] {
		if a.mu.closed {
			a.mu.Unlock()
			return
		}
		a.fwd.Add(1)
		a.mu.Unlock()
		defer a.fwd.Done()
		a.forward(l, ml, req)
		return
	}
	ans, closeAfter := a.localAnswerLocked(l, req)
	a.mu.Unlock()
	// Sent without the lock: a neoctl that does not read holds up only
	// itself.
	switch {
	case code == proto.CodeFlushLog:
		ml.Notify(&proto.NoArgs{PacketCode: proto.CodeFlushLog})
	case ans != nil:
		l.Answer(req, ans)
	}
	if closeAfter {
		l.Close()
	}
}

// localAnswerLocked returns the answer to a request the admin serves
// itself (nil: none, or later for AskMonitorInformation), and whether to
// close the connection after it. REQUIRES: mu held.
func (a *Admin) localAnswerLocked(l *link.Link, req link.Request) (ans proto.Msg, closeAfter bool) {
	switch m := req.Msg.(type) {
	case *proto.AskNodeList:
		var typ *proto.NodeType
		if m.NodeType != proto.NoNodeType {
			typ = &m.NodeType
		}
		return &proto.AnswerNodeList{Nodes: a.mu.nodes.List(typ)}, false
	case *proto.AskPartitionList:
		return a.partitionListLocked(m), false
	case *proto.RequestIdentification:
		// Only admins of the backup clusters we monitor may identify; we
		// monitor none.
		text := fmt.Sprintf("unknown backup cluster %q", m.ClusterName)
		if m.NodeType != proto.Admin {
			text = "reject non-admin node"
		}
		return &proto.Error{ErrCode: proto.ProtocolError, Message: text}, true
	}
	switch req.Msg.Code() {
	case proto.CodeAskClusterState:
		if !a.mu.hasState {
			// Identified, the state not told yet: NEO/py would answer None,
			// which neoctl cannot print either.
			return &proto.Error{ErrCode: proto.NotReady, Message: notConnected}, false
		}
		return &proto.ClusterStateMsg{PacketCode: proto.CodeAnswerClusterState, State: a.mu.state}, false
	case proto.CodeAskPrimary:
		return &proto.AnswerPrimary{PrimaryNID: a.mu.masterNID}, false
	case proto.CodeAskMonitorInformation:
		mon := &a.mu.mon
		busy := len(mon.waiters) > 0 || mon.asking
		mon.waiters = append(mon.waiters, ctlWaiter{l, req})
		if !busy {
			a.notifyLocked(a.operationalLocked())
		}
		return nil, false
	case proto.CodeFlushLog, proto.CodeCloseClient:
		return nil, false
	case proto.CodePing:
		return &proto.NoArgs{PacketCode: proto.CodePong}, false
	}
	name, _ := proto.CodeName(req.Msg.Code())
	a.mu.log.Error("unexpected packet from neoctl", "packet", name)
	return &proto.Error{ErrCode: proto.ProtocolError, Message: "unexpected packet type " + name + " in admin"}, true
}

// partitionListLocked answers rows [MinOffset, MaxOffset) (to the end when
// MaxOffset is 0), copied. As NEO/py's admin, it ignores the NID filter.
// REQUIRES: mu held.
func (a *Admin) partitionListLocked(m *proto.AskPartitionList) proto.Msg {
	pt := a.mu.pt
	if pt == nil {
		return &proto.Error{ErrCode: proto.NotReady, Message: notConnected}
	}
	np := pt.NumPartitions()
	max := m.MaxOffset
	if max == 0 {
		max = np
	}
	if m.MinOffset < max && max > np {
		return &proto.Error{ErrCode: proto.ProtocolError, Message: "invalid partition table offset"}
	}
	var rows [][]proto.CellInfo
	if m.MinOffset < max {
		rows = cluster.FromRows(pt.PTid, pt.NumReplicas, pt.Rows[m.MinOffset:max]).Rows
	}
	if rows == nil {
		rows = [][]proto.CellInfo{}
	}
	return &proto.PartitionTable{PacketCode: proto.CodeAnswerPartitionList, PTid: pt.PTid, NumReplicas: pt.NumReplicas, Rows: rows}
}

// forward asks the master req and relays its answer to neoctl under
// neoctl's msg id. A PROTOCOL_ERROR closes the neoctl connection after
// it is relayed, as NEO/py does; the master going away before answering
// is PROTOCOL_ERROR "connection to master lost".
func (a *Admin) forward(l, ml *link.Link, req link.Request) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-l.Done(): // neoctl left: drop the answer
			cancel()
		case <-ctx.Done():
		}
	}()
	ans, err := ml.Ask(ctx, req.Msg)
	var ea *link.ErrorAnswer
	switch {
	case err == nil:
		l.Answer(req, ans)
		return
	case errors.As(err, &ea):
		l.Answer(req, ea.Packet())
		if ea.Code != proto.ProtocolError {
			return
		}
	case ctx.Err() != nil:
		return
	case ml.Err() == nil: // the master answered with a wrong packet
		l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: err.Error()})
	default:
		l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: "connection to master lost"})
	}
	l.Close()
}
