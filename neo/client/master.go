package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// retryDelay is how long the client waits before trying the masters
// again, as NEO/py's reconnection pace (about a second).
const retryDelay = time.Second

// readyTimeout bounds the wait for an operational partition table after
// identification before trying again (NEO/py reconnects too).
const readyTimeout = 5 * time.Second

// masterConn is one link to a master, from its dial to its end.
type masterConn struct {
	l     *link.Link
	addr  string
	ready bool // identified, last tid known, table operational

	// primary is the address a NotPrimaryMaster told, "" if none;
	// gotNPM is closed then.
	primary string
	gotNPM  chan struct{}
	// early are the invalidations received before ready.
	early []*proto.InvalidateObjects
}

// runMaster keeps a link to the primary master until Close.
func (c *Client) runMaster() {
	defer c.wg.Done()
	next := 0
	primary := ""
	delay := retryDelay / 16
	connected := false
	follows := 0 // NotPrimaryMaster followed in a row
	for c.ctx.Err() == nil {
		addr := primary
		if addr == "" {
			addr = c.opt.Masters[next%len(c.opt.Masters)]
			next++
		}
		primary = ""
		mc, err := c.connectMaster(addr)
		if err == nil {
			connected, follows = true, 0
			delay = retryDelay / 16
			c.logger().Debug("connected to the primary master", "addr", addr, "nid", c.view.Load().nid)
			select {
			case <-mc.l.Done():
				err = mc.l.Err()
			case <-c.ctx.Done():
			}
			c.masterLost(mc, err)
			if c.ctx.Err() != nil {
				return
			}
			// Try the same master first, at once.
			primary = addr
			continue
		}
		if p := c.primaryOf(mc); p != "" && p != addr {
			primary = p
			follows++
			if follows <= len(c.opt.Masters) {
				c.logger().Debug("following NotPrimaryMaster", "from", addr, "to", p)
				continue // at once
			}
			// Masters naming each other (an election going on): pace.
			follows = 0
			next = 0
		}
		var ea *link.ErrorAnswer
		if errors.As(err, &ea) && ea.Code == proto.ProtocolError && !connected {
			// Refused before ever getting in (a wrong cluster name):
			// Open and every operation fail with why. A refusal after a
			// first connection is taken as transient.
			c.mu.Lock()
			c.mu.fatal = fmt.Errorf("neo: cluster %q: master %s refused the client: %s", c.opt.Cluster, addr, ea.Message)
			c.wakeLocked()
			c.mu.Unlock()
			c.logger().Error("refused by the master", "addr", addr, "err", ea.Message)
		} else if c.ctx.Err() == nil {
			lvl := slog.LevelInfo
			if !connected || errors.As(err, &ea) && ea.Code == proto.NotReady {
				// Opening (Open reports why it fails), or the
				// cluster is starting.
				lvl = slog.LevelDebug
			}
			c.logger().Log(c.ctx, lvl, "master not available", "addr", addr, "err", err)
		}
		if next%len(c.opt.Masters) == 0 {
			// Every master tried: wait, longer each time up to
			// retryDelay (a cluster starting answers NOT_READY for a
			// moment only).
			select {
			case <-time.After(delay):
			case <-c.ctx.Done():
				return
			}
			delay = min(2*delay, retryDelay)
		}
	}
}

// primaryOf returns the primary a NotPrimaryMaster on mc told of.
func (c *Client) primaryOf(mc *masterConn) string {
	if mc == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return mc.primary
}

// connectMaster dials addr, identifies, learns the last tid and waits for
// an operational partition table. On success the link is the client's.
func (c *Client) connectMaster(addr string) (*masterConn, error) {
	ctx, cancel := context.WithTimeout(c.ctx, readyTimeout)
	defer cancel()
	mc := &masterConn{addr: addr, gotNPM: make(chan struct{})}
	l, err := link.Dial(ctx, "tcp", addr, link.Options{
		Handler: link.HandlerFunc(func(l *link.Link, req link.Request) { c.serveMaster(mc, req) }),
		Ordered: true,
		TLS:     c.opt.TLS,
	})
	c.mu.Lock()
	if err != nil {
		c.mu.lastErr = err
	} else {
		c.mu.answered = true
	}
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	mc.l = l
	c.mu.Lock()
	nid := c.mu.nid
	c.mu.conn = mc
	c.mu.pt = nil
	c.mu.nodes = cluster.NewNodeTable()
	c.mu.Unlock()
	extra := []byte{0x80} // {}
	if c.opt.ReadOnly {
		extra = append([]byte{0x81, 0xc4, 9}, "read_only\xc3"...) // {b'read_only': True}
	}
	acc, err := l.Identify(ctx, &proto.RequestIdentification{
		NodeType: proto.Client, NID: nid, ClusterName: c.opt.Cluster,
		IDTimestamp: proto.NoTime, Extra: extra,
	})
	if err == nil && acc.NodeType != proto.Master {
		err = fmt.Errorf("neo: %s is a %v node, not a master", addr, acc.NodeType)
	}
	if err == nil {
		c.mu.Lock()
		c.mu.nid = acc.YourNID
		c.mu.Unlock()
		c.nlog.Store(c.log.With("nid", acc.YourNID.String()))
		err = c.initFromMaster(ctx, mc)
	}
	if err != nil {
		var ea *link.ErrorAnswer
		if !errors.As(err, &ea) {
			// A secondary master sends NotPrimaryMaster instead of an
			// answer, then closes: give the handler a moment to have it.
			select {
			case <-mc.gotNPM:
			case <-time.After(100 * time.Millisecond):
			}
		}
		l.Close()
		<-l.Done()
		c.mu.Lock()
		if c.mu.conn == mc {
			c.mu.conn = nil
		}
		c.mu.Unlock()
		return mc, err
	}
	return mc, nil
}

// initFromMaster asks the last tid and waits for the table, as NEO/py's
// bootstrap does, then makes the link the client's.
func (c *Client) initFromMaster(ctx context.Context, mc *masterConn) error {
	m, err := mc.l.Ask(ctx, &proto.NoArgs{PacketCode: proto.CodeAskLastTransaction})
	if err != nil {
		return err
	}
	ltid := m.(*proto.TidMsg).Tid
	if ltid == proto.NoTid {
		ltid = 0
	}
	for {
		c.mu.Lock()
		ok := c.mu.pt != nil && c.mu.pt.Operational(c.mu.nodes.Running)
		ch := c.mu.changed
		if ok {
			c.ev.hold()
			old := c.cache.head()
			c.cache.reset(ltid)
			// Invalidations that came before: those up to ltid are in
			// the reset and the catch-up.
			for _, inv := range mc.early {
				if inv.Tid > ltid {
					c.cache.invalidate(inv.Tid, inv.Oids)
					c.ev.emit(zodb.CommitEvent{Tid: inv.Tid, Oids: inv.Oids})
				}
			}
			mc.early = nil
			mc.ready = true
			c.changedLocked()
			c.mu.Unlock()
			c.catchUp(old, ltid)
			c.ev.release()
			return nil
		}
		c.mu.Unlock()
		select {
		case <-ch:
		case <-mc.l.Done():
			return mc.l.Err()
		case <-ctx.Done():
			return fmt.Errorf("neo: no operational partition table from %s: %w", mc.addr, ctx.Err())
		}
	}
}

// masterLost ends mc: transactions in progress fail, loads wait for the
// next master.
func (c *Client) masterLost(mc *masterConn, err error) {
	mc.l.Close()
	<-mc.l.Done()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.conn == mc {
		c.mu.conn = nil
	}
	mc.ready = false
	for _, t := range c.mu.txns {
		t.fail(fmt.Errorf("neo: connection to the primary master %s lost: %w", mc.addr, err))
	}
	c.changedLocked()
	if c.ctx.Err() == nil {
		c.logger().Warn("connection to the primary master lost", "addr", mc.addr, "err", err)
	}
}

// serveMaster handles the master's notifications, in arrival order.
func (c *Client) serveMaster(mc *masterConn, req link.Request) {
	switch m := req.Msg.(type) {
	case *proto.InvalidateObjects:
		c.mu.Lock()
		if c.mu.conn != mc {
			c.mu.Unlock()
			return
		}
		if !mc.ready {
			// Before the last tid is known: applied by initFromMaster
			// after the reconnection's reset.
			mc.early = append(mc.early, m)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.invalidated(m.Tid, m.Oids)
		return
	case *proto.NotPrimaryMaster:
		c.logger().Debug("NotPrimaryMaster", "from", mc.addr, "primary", m.Primary, "masters", m.Masters)
		if m.Primary >= 0 && int(m.Primary) < len(m.Masters) && m.Masters[m.Primary] != nil {
			a := m.Masters[m.Primary]
			c.mu.Lock()
			if mc.primary == "" {
				mc.primary = net.JoinHostPort(a.Host, strconv.Itoa(int(a.Port)))
				close(mc.gotNPM)
			}
			c.mu.Unlock()
		}
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.conn != mc {
		return // a late packet of an old link
	}
	switch m := req.Msg.(type) {
	case *proto.NotifyNodeInformation:
		c.mu.nodes.Update(m.Nodes)
		for _, n := range m.Nodes {
			if n.Type == proto.Storage && n.State != proto.NodeRunning {
				c.stors.drop(n.NID)
			}
		}
	case *proto.PartitionTable:
		if m.PacketCode == proto.CodeSendPartitionTable {
			c.mu.pt = cluster.FromRows(m.PTid, m.NumReplicas, m.Rows)
		}
	case *proto.NotifyPartitionChanges:
		if c.mu.pt == nil {
			return
		}
		if err := c.mu.pt.Update(m.PTid, m.NumReplicas, m.Cells); err != nil {
			c.logger().Error("bad partition table change from the master", "err", err)
			mc.l.Close()
			return
		}
	case *proto.ClusterStateMsg:
		c.logger().Info("cluster state", "state", m.State)
		return
	default:
		if m.Code() == proto.CodeStopOperation {
			c.logger().Warn("the master stopped operation")
		}
		return
	}
	c.changedLocked()
}

// invalidated applies the commit tid of oids by another client.
func (c *Client) invalidated(tid zodb.Tid, oids []zodb.Oid) {
	c.cache.invalidate(tid, oids)
	c.mu.Lock()
	c.wakeLocked()
	c.mu.Unlock()
	c.ev.emit(zodb.CommitEvent{Tid: tid, Oids: oids})
}

// master returns the master link once ready.
func (c *Client) master(ctx context.Context) (*link.Link, error) {
	v, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return v.master.l, nil
}

// askMaster asks the primary master. A request whose link breaks is
// asked again to the next master: only requests that may be repeated
// (begin, new oids, last tid) go through here.
func (c *Client) askMaster(ctx context.Context, msg proto.Msg) (proto.Msg, error) {
	for {
		l, err := c.master(ctx)
		if err != nil {
			return nil, err
		}
		m, err := l.Ask(ctx, msg)
		if err == nil || ctx.Err() != nil || l.Err() == nil {
			return m, err
		}
		if err := c.waitMasterGone(ctx, l); err != nil {
			return nil, err
		}
	}
}

// waitMasterGone waits until the view no longer has l, a master link that
// went down, as master links are replaced by runMaster.
func (c *Client) waitMasterGone(ctx context.Context, l *link.Link) error {
	for {
		c.mu.Lock()
		ch := c.mu.changed
		v := c.view.Load()
		c.mu.Unlock()
		if v.master == nil || v.master.l != l {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.ctx.Done():
			return ErrClosed
		}
	}
}
