package storage

import (
	"context"
	"errors"
	"fmt"
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
			var np *cluster.NotPrimaryError
			if errors.As(err, &np) {
				primary = np.Primary
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

// connectMaster dials addr and identifies to it.
func (s *Storage) connectMaster(ctx context.Context, addr string) (*link.Link, error) {
	s.mu.Lock()
	nid := s.mu.nid
	s.mu.Unlock()
	l, acc, open, err := cluster.DialMaster(ctx, addr, s.cfg.TLS, &proto.RequestIdentification{
		NodeType: proto.Storage, NID: nid, Addr: s.addr, ClusterName: s.cfg.Cluster,
		IDTimestamp: proto.NoTime, Extra: identifyExtra,
	}, link.HandlerFunc(s.serveMasterPacket))
	if err != nil {
		return nil, err
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
	open()
	return l, nil
}

// serveMaster waits until the master link goes down or the node stops.
func (s *Storage) serveMaster(ctx context.Context, ml *link.Link) error {
	select {
	case <-ml.Done():
		// Handle what the master sent before it went away first (its
		// STOPPING, before it closes).
		select {
		case <-ml.HandlerDone():
		case <-time.After(time.Second):
		}
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
