package master

import (
	"context"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// Election, as NEO/py's masters do it: while RECOVERING, a primary
// connects to every other master it knows and identifies with its
// election key (the time it started playing the primary role, then its
// address). The side with the lower key wins: the other one accepts it
// (and the connecting side, accepted, becomes secondary) or, having lost,
// drops the connection and becomes secondary itself. A secondary follows
// the primary and answers every other identification with
// NotPrimaryMaster.

// secondary is the state of a master playing the secondary role.
type secondary struct {
	primary *node
	l       *link.Link // to the primary, once connected
}

// retryDelay is how long a master waits before connecting again to a
// master that did not answer (NEO/py's connection limit is 1 s).
const retryDelay = time.Second

// electionKey reports whether key (t1, a1) is lower than (t2, a2), as
// NEO/py compares (id_timestamp, address) tuples.
func electionLess(t1 float64, a1 *proto.Address, t2 float64, a2 *proto.Address) bool {
	if t1 != t2 {
		return t1 < t2
	}
	if a1.Host != a2.Host {
		return a1.Host < a2.Host
	}
	return a1.Port < a2.Port
}

// electing reports whether the master is primary and still electing.
func (m *Master) electing() bool {
	return m.second == nil && m.hasSt && m.state == proto.Recovering
}

// challengeMasters connects to every other known master not connected.
func (m *Master) challengeMasters() {
	if !m.electing() {
		return
	}
	for _, n := range m.nodes.ofType(proto.Master, false) {
		if n == m.self || n.peer != nil || n.dialing || n.addr == nil {
			continue
		}
		n.dialing = true
		n := n
		key := m.primaryTime
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.challenge(n, key)
		}()
	}
}

// challenge identifies to master n with our election key; its answer
// decides who is primary.
func (m *Master) challenge(n *node, key float64) {
	ctx, cancel := context.WithTimeout(m.ctx, handshakeTimeout)
	defer cancel()
	addr := n.addr.String()
	var npm *proto.NotPrimaryMaster
	got := make(chan struct{}, 1)
	l, err := link.Dial(ctx, "tcp", addr, link.Options{TLS: m.cfg.TLS, Ordered: true, Handler: link.HandlerFunc(func(l *link.Link, req link.Request) {
		if x, ok := req.Msg.(*proto.NotPrimaryMaster); ok && npm == nil {
			npm = x
			got <- struct{}{}
			return
		}
		m.post(func() { m.fromPrimary(l, req) })
	})})
	if err != nil {
		m.post(func() { m.challengeFailed(n, key) })
		return
	}
	acc, err := l.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Master, NID: m.self.nid, Addr: m.self.addr, ClusterName: m.cfg.Cluster, IDTimestamp: key, Extra: proto.AppendExtra(nil, proto.Extra{})})
	if err != nil {
		// NotPrimaryMaster comes instead of the answer, then the peer
		// closes: wait for the handler to have it.
		<-l.Done()
		l.Close()
		select {
		case <-got:
			m.post(func() { m.notPrimaryMaster(n, npm, key) })
		default:
			m.post(func() { m.challengeFailed(n, key) })
		}
		return
	}
	m.post(func() { m.challengeAccepted(n, l, acc, key) })
}

func (m *Master) challengeFailed(n *node, key float64) {
	n.dialing = false
	if m.second != nil || key != m.primaryTime {
		return
	}
	time.AfterFunc(retryDelay, func() { m.post(m.challengeMasters) })
}

// challengeAccepted: the peer accepted us, so it is the primary.
func (m *Master) challengeAccepted(n *node, l *link.Link, acc *proto.AcceptIdentification, key float64) {
	n.dialing = false
	if m.second != nil || key != m.primaryTime || acc.NodeType != proto.Master {
		l.Close()
		return
	}
	m.becomeSecondary(n, l, acc)
}

// notPrimaryMaster: the peer is a secondary; follow the primary it names
// unless it is a master we already beat (connected to us).
func (m *Master) notPrimaryMaster(n *node, npm *proto.NotPrimaryMaster, key float64) {
	n.dialing = false
	if m.second != nil || key != m.primaryTime {
		return
	}
	for _, a := range npm.Masters {
		if a != nil && m.nodes.byAddr(a) == nil {
			m.nodes.add(&node{typ: proto.Master, addr: a, state: proto.NodeDown, idTime: proto.NoTime})
		}
	}
	if npm.Primary == proto.NoPrimary || int(npm.Primary) >= len(npm.Masters) || npm.Masters[npm.Primary] == nil {
		time.AfterFunc(retryDelay, func() { m.post(m.challengeMasters) })
		return
	}
	p := m.nodes.byAddr(npm.Masters[npm.Primary])
	if p == nil || p == m.self || p.identified() {
		return
	}
	m.becomeSecondary(p, nil, nil)
}

// becomeSecondary leaves the primary role: every connection is closed
// and the master follows primary.
func (m *Master) becomeSecondary(primary *node, l *link.Link, acc *proto.AcceptIdentification) {
	m.log.Info("master: playing the secondary role", "primary", primary.addr)
	m.second = &secondary{primary: primary}
	for p := range m.peers {
		m.abort(p)
	}
	// Forget the other nodes: the primary knows them.
	var keep []*node
	for _, n := range m.nodes.list {
		if n.typ == proto.Master {
			n.peer = nil
			keep = append(keep, n)
		}
	}
	m.nodes.list = keep
	m.rec, m.ver = nil, nil
	m.tm.reset()
	clear(m.storageReady)
	clear(m.storageStarting)
	m.startupAllowed = false
	if l != nil {
		m.primaryAccepted(l, acc)
		return
	}
	m.connectPrimary()
}

func (m *Master) connectPrimary() {
	s := m.second
	addr := s.primary.addr.String()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		ctx, cancel := context.WithTimeout(m.ctx, handshakeTimeout)
		defer cancel()
		var l *link.Link
		l, err := link.Dial(ctx, "tcp", addr, link.Options{TLS: m.cfg.TLS, Ordered: true, Handler: link.HandlerFunc(func(ll *link.Link, req link.Request) {
			m.post(func() { m.fromPrimary(ll, req) })
		})})
		if err == nil {
			var acc *proto.AcceptIdentification
			acc, err = l.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Master, NID: m.self.nid, Addr: m.self.addr, ClusterName: m.cfg.Cluster, IDTimestamp: proto.NoTime, Extra: proto.AppendExtra(nil, proto.Extra{})})
			if err == nil {
				m.post(func() { m.primaryAccepted(l, acc) })
				return
			}
			l.Close()
		}
		m.log.Info("master: primary master unreachable", "primary", addr, "err", err)
		time.Sleep(retryDelay)
		m.post(func() {
			if m.second == s {
				m.primaryLost()
			}
		})
	}()
}

// primaryAccepted: connected to the primary; take the NID it gives.
func (m *Master) primaryAccepted(l *link.Link, acc *proto.AcceptIdentification) {
	s := m.second
	if s == nil || acc == nil || acc.YourNID == proto.NoNID {
		l.Close()
		return
	}
	s.l = l
	if acc.MyNID != proto.NoNID {
		s.primary.nid = acc.MyNID
	}
	s.primary.state = proto.NodeRunning
	m.self.nid = acc.YourNID
	m.log = m.cfg.Log().With("node", "master", "nid", m.self.nid.String())
	m.log.Info("master: connected to the primary master", "primary", s.primary.addr)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		select {
		case <-l.HandlerDone():
			m.post(func() {
				if m.second == s {
					m.primaryLost()
				}
			})
		case <-m.quit:
			l.Close()
		}
	}()
}

// fromPrimary handles what the primary tells a secondary: it exits when
// the cluster stops or when it is told it is DOWN.
func (m *Master) fromPrimary(l *link.Link, req link.Request) {
	s := m.second
	if s == nil || s.l != l {
		return
	}
	switch msg := req.Msg.(type) {
	case *proto.ClusterStateMsg:
		if msg.Code() == proto.CodeNotifyClusterInformation && msg.State == proto.Stopping {
			m.log.Info("master: the cluster stops")
			m.exit = true
		}
	case *proto.NotifyNodeInformation:
		for _, ni := range msg.Nodes {
			if ni.Type != proto.Master {
				continue
			}
			if ni.NID == m.self.nid && (ni.State == proto.NodeDown || ni.State == proto.NodeUnknown) {
				m.log.Info("master: told to stop")
				m.exit = true
				return
			}
			if ni.Addr != nil && m.nodes.byAddr(ni.Addr) == nil {
				m.nodes.add(&node{typ: proto.Master, addr: ni.Addr, nid: ni.NID, state: ni.State, idTime: proto.NoTime})
			}
		}
	}
}

// primaryLost: the primary is gone; play the primary role again (the
// election will find the new primary).
func (m *Master) primaryLost() {
	s := m.second
	if s.l != nil {
		s.l.Close()
	}
	m.log.Warn("master: primary master lost", "primary", s.primary.addr)
	s.primary.state = proto.NodeDown
	m.second = nil
	// Keep the NID the primary gave: other nodes know us by it.
	m.playPrimary()
}

// playPrimary starts (again) the primary role.
func (m *Master) playPrimary() {
	m.primaryTime = m.clock.now()
	m.hasSt = false
	m.startRecovery()
	m.challengeMasters()
}

// notPrimary answers an identification while secondary: where the
// primary is, then close.
func (m *Master) notPrimary(p *peer, ri *proto.RequestIdentification) {
	s := m.second
	var known []*proto.Address
	primary := int32(proto.NoPrimary)
	for _, n := range m.nodes.ofType(proto.Master, false) {
		if n.addr == nil {
			continue
		}
		if n == s.primary && s.l != nil && (ri.Addr == nil || *ri.Addr != *n.addr) {
			primary = int32(len(known))
		}
		known = append(known, n.addr)
	}
	msg := &proto.NotPrimaryMaster{Primary: primary, Masters: known}
	m.logSend(p, msg)
	p.out.push(outItem{msg: msg})
	m.abort(p)
}
