package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

const (
	// retryDelay is the pause between two rounds of the masters, as NEO/py
	// polls once a second.
	retryDelay = time.Second
	// handshakeTimeout bounds a neoctl connection's handshake.
	handshakeTimeout = 10 * time.Second
)

// identifyExtra is the extra map of our identification: {b'backup': []}.
var identifyExtra = proto.Raw{0x81, 0xc4, 6, 'b', 'a', 'c', 'k', 'u', 'p', 0x90}

// masterLoop looks for the primary master, follows it until it goes away,
// and again, until ctx ends or the cluster stops.
func (a *Admin) masterLoop(ctx context.Context) error {
	next := 0
	var primary string
	for {
		addr := primary
		if addr == "" {
			addr = a.cfg.Masters[next%len(a.cfg.Masters)]
			next++
		}
		primary = ""
		ml, err := a.connectMaster(ctx, addr)
		if err == nil {
			err = a.followMaster(ctx, ml)
			a.masterLost(ml)
			if ctx.Err() != nil || a.isStopped() {
				return nil
			}
			a.logger().Warn("primary master is down", "master", addr, "err", err)
			next-- // as NEO/py, try the same master first
			continue
		}
		var np *cluster.NotPrimaryError
		var refused *link.ErrorAnswer
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &np):
			primary = np.Primary
			a.logger().Info("not the primary master", "master", addr, "primary", primary)
			if primary != "" {
				continue
			}
		case errors.As(err, &refused) && refused.Code == proto.ProtocolError && refused.Message == "invalid cluster name":
			return fmt.Errorf("admin: master %s refused cluster %q: %s", addr, a.cfg.Cluster, refused.Message)
		default:
			a.logger().Debug("cannot connect to master", "master", addr, "err", err)
		}
		if next%len(a.cfg.Masters) != 0 {
			continue // try the other masters before pausing
		}
		select {
		case <-ctx.Done():
			return nil
		case <-a.stopped:
			return nil
		case <-time.After(retryDelay):
		}
	}
}

// connectMaster dials addr and identifies as ADMIN.
func (a *Admin) connectMaster(ctx context.Context, addr string) (*link.Link, error) {
	a.mu.Lock()
	nid := a.mu.nid
	a.mu.Unlock()
	l, acc, open, err := cluster.DialMaster(ctx, addr, a.cfg.TLS, &proto.RequestIdentification{
		NodeType: proto.Admin, NID: nid, Addr: a.addr, ClusterName: a.cfg.Cluster,
		IDTimestamp: proto.NoTime, Extra: identifyExtra,
	}, link.HandlerFunc(a.masterPacket))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.mu.nid = acc.YourNID
	a.mu.masterNID = acc.MyNID
	a.mu.log = a.log.With("nid", acc.YourNID.String())
	a.mu.master = l
	a.mu.nodes = cluster.NewNodeTable()
	a.mu.pt = nil
	a.mu.hasState = false
	log := a.mu.log
	a.mu.Unlock()
	log.Info("connected to the primary master", "master", addr, "master_nid", acc.MyNID.String())
	open()
	return l, nil
}

// followMaster asks the cluster state, then waits until the master link
// goes down or ctx ends. Notifications are handled by masterPacket.
func (a *Admin) followMaster(ctx context.Context, ml *link.Link) error {
	a.mu.Lock()
	gen := a.mu.stateGen
	a.mu.Unlock()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		m, err := ml.Ask(ctx, &proto.NoArgs{PacketCode: proto.CodeAskClusterState})
		if err != nil {
			return
		}
		if s, ok := m.(*proto.ClusterStateMsg); ok {
			a.mu.Lock()
			// A NotifyClusterInformation handled meanwhile is as new.
			if a.mu.master == ml && a.mu.stateGen == gen {
				a.setStateLocked(s.State)
			}
			a.mu.Unlock()
		}
	}()
	select {
	case <-ml.Done():
		// Handle what the master sent before it went away first (its
		// STOPPING, before it closes).
		select {
		case <-ml.HandlerDone():
		case <-time.After(time.Second):
		}
		return ml.Err()
	case <-ctx.Done():
		return nil
	}
}

// masterLost forgets the master and what it told.
func (a *Admin) masterLost(ml *link.Link) {
	ml.Close()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mu.master = nil
	a.mu.nid = proto.NoNID
	a.mu.log = a.log
	a.mu.hasState = false
	a.mu.mon.ltid = lastTid{}
	a.mu.mon.asking = false // an AskLastTransaction in flight died with the link
	a.monitorChangedLocked()
}

// isStopped reports whether the master told the cluster is stopping.
func (a *Admin) isStopped() bool {
	select {
	case <-a.stopped:
		return true
	default:
		return false
	}
}

// masterPacket handles one notification from the primary master.
func (a *Admin) masterPacket(l *link.Link, req link.Request) {
	if m, ok := req.Msg.(*proto.ClusterStateMsg); ok && m.Code() == proto.CodeNotifyClusterInformation && m.State == proto.Stopping {
		// The master closes right after: the admin stops once it is gone,
		// even if this is handled after the link went down.
		a.stopOnce.Do(func() { close(a.stopped) })
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.mu.master != l {
		return
	}
	switch m := req.Msg.(type) {
	case *proto.NotifyNodeInformation:
		a.mu.nodes.Update(m.Nodes)
		a.mu.nodes.Timestamp = m.Timestamp
		a.ptUpdatedLocked()
	case *proto.PartitionTable:
		if m.Code() != proto.CodeSendPartitionTable {
			break
		}
		a.mu.pt = cluster.FromRows(m.PTid, m.NumReplicas, m.Rows)
		a.ptUpdatedLocked()
	case *proto.NotifyPartitionChanges:
		if a.mu.pt == nil {
			a.mu.log.Error("partition changes before the partition table", "ptid", m.PTid)
			l.Close()
			return
		}
		if err := a.mu.pt.Update(m.PTid, m.NumReplicas, m.Cells); err != nil {
			a.mu.log.Error("master sent bad partition changes", "err", err)
			l.Close()
			return
		}
		a.ptUpdatedLocked()
	case *proto.ClusterStateMsg:
		if m.Code() != proto.CodeNotifyClusterInformation {
			break
		}
		a.mu.stateGen++
		a.setStateLocked(m.State)
	case *proto.NoArgs:
		switch m.Code() {
		case proto.CodePing:
			l.Answer(req, &proto.NoArgs{PacketCode: proto.CodePong})
		case proto.CodeFlushLog, proto.CodeCloseClient:
		default:
			a.unexpectedLocked(l, req)
		}
	case *proto.NotifyUpstreamAdmin:
		// Only for backup clusters, whose monitoring is not implemented.
		a.mu.log.Info("upstream admin not monitored", "addr", m.Addr.String())
	default:
		a.unexpectedLocked(l, req)
	}
}

// unexpectedLocked answers PROTOCOL_ERROR and closes l, as NEO/py for a
// packet its handler does not take. REQUIRES: mu held.
func (a *Admin) unexpectedLocked(l *link.Link, req link.Request) {
	name, _ := proto.CodeName(req.Msg.Code())
	a.mu.log.Error("unexpected packet", "packet", name)
	l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: "unexpected packet type " + name + " in admin"})
	l.Close()
}

// setStateLocked records a new cluster state. REQUIRES: mu held.
func (a *Admin) setStateLocked(s proto.ClusterState) {
	if a.mu.hasState && a.mu.state == s {
		return
	}
	a.mu.state, a.mu.hasState = s, true
	a.mu.log.Info("cluster state", "state", s.String())
	a.monitorChangedLocked()
}
