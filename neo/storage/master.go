package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// retryDelay is how long the node waits before trying the next master,
// as NEO/py's bootstrap polls once a second.
const retryDelay = time.Second

// identifyExtra is the extra map of our RequestIdentification to the
// master: {b'devpath': [], b'new_nid': []}.
var identifyExtra = proto.Raw{
	0x82,
	0xc4, 7, 'd', 'e', 'v', 'p', 'a', 't', 'h', 0x90,
	0xc4, 7, 'n', 'e', 'w', '_', 'n', 'i', 'd', 0x90,
}

// errNotPrimary carries a secondary master's NotPrimaryMaster.
type errNotPrimary struct{ primary string }

func (e *errNotPrimary) Error() string { return "not the primary master" }

// masterLoop connects to the primary master and serves it, again after
// each loss, until the node must stop.
func (s *Storage) masterLoop(ctx context.Context) error {
	next := 0 // index of the master to try
	var primary string
	for {
		addr := primary
		if addr == "" {
			addr = s.cfg.Masters[next%len(s.cfg.Masters)]
			next++
		}
		primary = ""
		ml, err := s.connectMaster(ctx, addr)
		if err == nil {
			err = s.serveMaster(ctx, ml)
			ml.Close()
			s.mu.Lock()
			stopping := s.mu.state == proto.Stopping
			s.mu.Unlock()
			s.leaveOperation()
			if s.quitting() || ctx.Err() != nil {
				return nil
			}
			if stopping {
				// The cluster was stopping: the master is gone for good
				// (its "you are DOWN" may not have reached us).
				s.logger().Info("cluster stopped")
				return nil
			}
			var pe *protocolError
			if errors.As(err, &pe) {
				s.logger().Error("master connection", "err", err)
			} else if err != nil {
				s.logger().Warn("primary master lost", "master", addr, "err", err)
			}
			// As NEO/py, look for the primary again at once.
			next--
			continue
		} else {
			var np *errNotPrimary
			if errors.As(err, &np) {
				primary = np.primary
				s.logger().Info("not the primary master", "master", addr, "primary", primary)
				if primary != "" {
					continue
				}
			} else {
				var refused *link.ErrorAnswer
				if errors.As(err, &refused) && refused.Code == proto.ProtocolError {
					if refused.Message == "invalid cluster name" {
						// Refused for good: NEO/py would retry forever,
						// we say why and stop.
						return fmt.Errorf("storage: master %s refused identification: cluster %q: %s", addr, s.cfg.Cluster, refused.Message)
					}
					s.logger().Error("master refused identification", "master", addr, "err", refused.Message)
				} else {
					s.logger().Debug("cannot connect to master", "master", addr, "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.quit:
			return nil
		case <-time.After(retryDelay):
		}
	}
}

func (s *Storage) quitting() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// masterConn is the master link being identified: the handler holds
// packets until identification is done.
type masterConn struct {
	s          *Storage
	ready      chan struct{}
	notPrimary chan string
	once       sync.Once
}

func (mc *masterConn) Serve(l *link.Link, req link.Request) {
	if np, ok := req.Msg.(*proto.NotPrimaryMaster); ok {
		primary := ""
		if np.Primary >= 0 && int(np.Primary) < len(np.Masters) && np.Masters[np.Primary] != nil {
			a := np.Masters[np.Primary]
			primary = fmt.Sprintf("%s:%d", a.Host, a.Port)
			if a.Host == "" || a.Port == 0 {
				primary = ""
			}
		}
		mc.once.Do(func() { mc.notPrimary <- primary })
		l.Close()
		return
	}
	select {
	case <-mc.ready:
	case <-l.Done():
		return
	}
	mc.s.serveMasterPacket(l, req)
}

// connectMaster dials addr and identifies to it.
func (s *Storage) connectMaster(ctx context.Context, addr string) (*link.Link, error) {
	mc := &masterConn{s: s, ready: make(chan struct{}), notPrimary: make(chan string, 1)}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l, err := link.Dial(dctx, "tcp", addr, link.Options{Handler: mc, Ordered: true, TLS: s.cfg.TLS})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	nid := s.mu.nid
	s.mu.Unlock()
	acc, err := l.Identify(dctx, &proto.RequestIdentification{
		NodeType: proto.Storage, NID: nid, Addr: s.addr, ClusterName: s.cfg.Cluster,
		IDTimestamp: proto.NoTime, Extra: identifyExtra,
	})
	if err != nil {
		l.Close()
		select {
		case p := <-mc.notPrimary:
			return nil, &errNotPrimary{p}
		default:
		}
		return nil, err
	}
	if acc.NodeType != proto.Master || acc.YourNID == proto.NoNID {
		l.Close()
		return nil, fmt.Errorf("storage: master %s: bad identification answer %v/%v", addr, acc.NodeType, acc.YourNID)
	}
	s.mu.Lock()
	if acc.YourNID != s.mu.nid {
		s.mu.nid = acc.YourNID
		s.mu.log = s.log.With("nid", acc.YourNID.String())
	}
	err = s.db.SetNID(acc.YourNID)
	if err == nil {
		err = s.db.Commit()
	}
	if err == nil {
		// Recovery starts from what the database holds.
		err = s.loadPartitionTable()
	}
	s.mu.master = l
	s.mu.state = proto.Recovering
	s.mu.tm = s.newTM()
	log := s.mu.log
	s.mu.Unlock()
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("storage: %w", err)
	}
	log.Info("connected to the primary master", "master", addr)
	close(mc.ready)
	return l, nil
}

// serveMaster waits until the master link goes down or the node stops.
func (s *Storage) serveMaster(ctx context.Context, ml *link.Link) error {
	select {
	case <-ml.Done():
		if errors.Is(ml.Err(), link.ErrClosed) {
			return s.masterErr()
		}
		return ml.Err()
	case <-ctx.Done():
		return nil
	case <-s.quit:
		return nil
	}
}

// masterErr is why we closed the master link ourselves.
func (s *Storage) masterErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.mu.masterErr; err != nil {
		s.mu.masterErr = nil
		return err
	}
	return link.ErrClosed
}

// leaveOperation forgets the master and what depends on it: clients are
// disconnected and transactions in progress dropped from memory (the
// database's temporary rows are dropped at the next StartOperation).
func (s *Storage) leaveOperation() {
	s.mu.Lock()
	s.stopReplicatorLocked()
	s.mu.master = nil
	s.mu.operational = false
	s.mu.cache.clear()
	if s.mu.tm != nil {
		s.mu.tm.queue.clear()
		s.mu.tm.readQueue.clear()
	}
	s.mu.tm = nil
	s.mu.nodes = cluster.NewNodeTable()
	s.notifyNodesChangedLocked()
	s.mu.Unlock()
	s.closePeers()
}
