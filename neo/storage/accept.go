package storage

import (
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// identifyWait bounds how long an identification waits for the master's
// node information naming the peer.
const identifyWait = 30 * time.Second

// acceptLoop accepts connections until the listener is closed.
func (s *Storage) acceptLoop() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			pc := &peerConn{s: s}
			l, err := link.NewLink(conn, link.Options{Handler: pc, Ordered: true, TLS: s.cfg.TLS, HandshakeTimeout: 10 * time.Second})
			if err != nil {
				return
			}
			select {
			case <-l.Done():
			case <-s.quit:
				l.Close()
			}
			s.peerGone(l, pc)
		}()
	}
}

// peerConn handles one accepted connection: identification first, then
// the requests of the identified peer.
type peerConn struct {
	s *Storage
	// p is set once identified, by the link's ordered goroutine with
	// the node lock held (read by that goroutine, or with the lock).
	p *peer
}

func (pc *peerConn) Serve(l *link.Link, req link.Request) {
	if pc.p == nil {
		pc.identify(l, req)
		return
	}
	pc.s.servePeer(pc.p, req)
}

// refuse answers req with an error and closes the link.
func refuse(l *link.Link, req link.Request, code proto.ErrorCode, msg string) {
	l.Answer(req, &proto.Error{ErrCode: code, Message: msg})
	l.Close()
}

// identify serves the RequestIdentification of a client or storage, as
// NEO/py's IdentificationHandler: the peer must be a node the master told
// us of, with the same id_timestamp; we wait for the master's news when
// the peer's timestamp is newer than ours.
func (pc *peerConn) identify(l *link.Link, req link.Request) {
	s := pc.s
	m, ok := req.Msg.(*proto.RequestIdentification)
	if !ok {
		name, _ := proto.CodeName(req.Msg.Code())
		refuse(l, req, proto.ProtocolError, "unexpected packet: "+name+" before identification")
		return
	}
	if m.ClusterName != s.cfg.Cluster {
		refuse(l, req, proto.ProtocolError, "invalid cluster name")
		return
	}
	deadline := time.NewTimer(identifyWait)
	defer deadline.Stop()
	s.mu.Lock()
	for {
		if !s.mu.operational {
			s.mu.Unlock()
			refuse(l, req, proto.NotReady, "Retry Later")
			return
		}
		if m.NID == proto.NoNID {
			s.mu.Unlock()
			// Anonymous storages replicate from a backup cluster: not
			// implemented, as any non-storage anonymous node is refused.
			if m.NodeType != proto.Storage {
				refuse(l, req, proto.ProtocolError, "reject anonymous non-storage node")
			} else {
				refuse(l, req, proto.ProtocolError, "replication is not implemented by this storage")
			}
			return
		}
		if m.NID == s.mu.nid {
			s.mu.Unlock()
			refuse(l, req, proto.ProtocolError, "uuid conflict or loopback connection")
			return
		}
		n, known := s.mu.nodes.Get(m.NID)
		if known && (n.IDTimestamp == m.IDTimestamp || proto.IsNoTime(m.IDTimestamp) && proto.IsNoTime(n.IDTimestamp)) {
			break
		}
		if proto.IsNoTime(m.IDTimestamp) || !(s.mu.nodes.Timestamp < m.IDTimestamp) {
			s.mu.Unlock()
			refuse(l, req, proto.NotReady, "unknown by master")
			return
		}
		// The master's notification naming the peer is still on its way.
		changed := s.mu.nodesChanged
		s.mu.Unlock()
		select {
		case <-changed:
		case <-l.Done():
			return
		case <-s.quit:
			return
		case <-deadline.C:
			refuse(l, req, proto.NotReady, "unknown by master")
			return
		}
		s.mu.Lock()
	}
	if m.NodeType != proto.Client && m.NodeType != proto.Storage {
		s.mu.Unlock()
		refuse(l, req, proto.ProtocolError, "reject non-client-or-storage node")
		return
	}
	if l.Err() != nil {
		s.mu.Unlock() // gone meanwhile: peerGone already ran
		return
	}
	p := &peer{l: l, nid: m.NID, typ: m.NodeType}
	s.mu.peers[l] = p
	pc.p = p // under mu for peerGone; only this goroutine writes it
	my := s.mu.nid
	s.mu.Unlock()
	l.Answer(req, &proto.AcceptIdentification{NodeType: proto.Storage, MyNID: my, YourNID: m.NID})
}

// peerGone forgets a closed connection; a client's transactions not
// voted yet are aborted (NEO/py's connectionClosed), since it will not
// take part in deadlock avoidance anymore.
func (s *Storage) peerGone(l *link.Link, pc *peerConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mu.peers, l)
	if pc.p != nil && s.mu.operational && s.mu.tm != nil {
		if err := s.mu.tm.abortFor(pc.p, pc.p.nid, false); err != nil {
			s.mu.log.Error("abort of a disconnected client's transactions", "err", err)
		}
	}
}
