package admin

import (
	"context"
	"errors"
	"fmt"

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
		a.mu.Unlock()
		a.forward(l, ml, req)
		return
	}
	defer a.mu.Unlock()
	switch m := req.Msg.(type) {
	case *proto.AskNodeList:
		var typ *proto.NodeType
		if m.NodeType != proto.NoNodeType {
			typ = &m.NodeType
		}
		l.Answer(req, &proto.AnswerNodeList{Nodes: a.mu.nodes.List(typ)})
		return
	case *proto.AskPartitionList:
		a.answerPartitionListLocked(l, req, m)
		return
	case *proto.RequestIdentification:
		// Only admins of the backup clusters we monitor may identify; we
		// monitor none.
		text := fmt.Sprintf("unknown backup cluster %q", m.ClusterName)
		if m.NodeType != proto.Admin {
			text = "reject non-admin node"
		}
		l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: text})
		l.Close()
		return
	}
	switch code {
	case proto.CodeAskClusterState:
		if !a.mu.hasState {
			// Identified, the state not told yet: NEO/py would answer None,
			// which neoctl cannot print either.
			l.Answer(req, &proto.Error{ErrCode: proto.NotReady, Message: notConnected})
			return
		}
		l.Answer(req, &proto.ClusterStateMsg{PacketCode: proto.CodeAnswerClusterState, State: a.mu.state})
	case proto.CodeAskPrimary:
		l.Answer(req, &proto.AnswerPrimary{PrimaryNID: a.mu.masterNID})
	case proto.CodeAskMonitorInformation:
		mon := &a.mu.mon
		busy := len(mon.waiters) > 0 || mon.asking
		mon.waiters = append(mon.waiters, ctlWaiter{l, req})
		if !busy {
			a.notifyLocked(a.operationalLocked())
		}
	case proto.CodeFlushLog:
		ml.Notify(&proto.NoArgs{PacketCode: proto.CodeFlushLog})
	case proto.CodePing:
		l.Answer(req, &proto.NoArgs{PacketCode: proto.CodePong})
	case proto.CodeCloseClient:
	default:
		a.unexpectedLocked(l, req)
	}
}

// answerPartitionListLocked answers rows [MinOffset, MaxOffset) (to the end
// when MaxOffset is 0). As NEO/py's admin, it ignores the NID filter.
// REQUIRES: mu held.
func (a *Admin) answerPartitionListLocked(l *link.Link, req link.Request, m *proto.AskPartitionList) {
	pt := a.mu.pt
	if pt == nil {
		l.Answer(req, &proto.Error{ErrCode: proto.NotReady, Message: notConnected})
		return
	}
	np := pt.NumPartitions()
	max := m.MaxOffset
	if max == 0 {
		max = np
	}
	if m.MinOffset < max && max > np {
		l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: "invalid partition table offset"})
		return
	}
	var rows [][]proto.CellInfo
	if m.MinOffset < max {
		rows = pt.Rows[m.MinOffset:max]
	}
	l.Answer(req, &proto.PartitionTable{PacketCode: proto.CodeAnswerPartitionList, PTid: pt.PTid, NumReplicas: pt.NumReplicas, Rows: append([][]proto.CellInfo{}, rows...)})
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
	default:
		l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: "connection to master lost"})
	}
	l.Close()
}
