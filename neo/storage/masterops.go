package storage

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// serveMasterPacket handles one packet from the primary master (NEO/py's
// InitializationHandler and MasterOperationHandler). A protocol error is
// answered and closes the link (we reconnect); a database error stops
// the node.
func (s *Storage) serveMasterPacket(l *link.Link, req link.Request) {
	var toClose []*link.Link
	s.mu.Lock()
	err := s.handleMasterLocked(l, req, &toClose)
	if err != nil {
		s.mu.masterErr = err
	}
	log := s.mu.log
	s.mu.Unlock()
	for _, c := range toClose {
		c.Close()
	}
	if err == nil {
		return
	}
	var pe *protocolError
	if errors.As(err, &pe) {
		l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: pe.msg})
		l.Close()
		return
	}
	log.Error("database failure", "err", err)
	s.mu.Lock()
	if s.mu.fatal == nil {
		s.mu.fatal = err
	}
	s.mu.Unlock()
	s.stop()
	l.Close()
}

// REQUIRES: mu held. Links to close once mu is released go to toClose.
func (s *Storage) handleMasterLocked(l *link.Link, req link.Request, toClose *[]*link.Link) error {
	if s.mu.master != l {
		return nil // a late packet of a link we gave up
	}
	tm := s.mu.tm
	switch m := req.Msg.(type) {
	case *proto.NotifyNodeInformation:
		s.nodeInformationLocked(m, toClose)
	case *proto.ClusterStateMsg:
		if m.Code() != proto.CodeNotifyClusterInformation {
			return unexpected(m)
		}
		s.mu.state = m.State
	case *proto.PartitionTable:
		if m.Code() != proto.CodeSendPartitionTable {
			return unexpected(m)
		}
		return s.sendPartitionTableLocked(m)
	case *proto.NotifyPartitionChanges:
		return s.partitionChangesLocked(m)
	case *proto.NoArgs:
		return s.masterNoArgsLocked(l, req, m, toClose)
	case *proto.TidPair:
		switch m.Code() {
		case proto.CodeValidateTransaction:
			s.mu.cache.clear()
			if err := s.db.LockTransaction(m.Tid, m.TTid); err != nil {
				return err
			}
			if err := s.db.UnlockTransaction(m.Tid, m.TTid); err != nil {
				return err
			}
			return s.db.Commit()
		case proto.CodeNotifyTransactionFinished:
			s.transactionFinishedLocked(m.TTid, m.Tid)
			if tm != nil {
				return tm.abort(m.TTid, false)
			}
		default:
			return unexpected(m)
		}
	case *proto.AbortTransaction:
		s.transactionFinishedLocked(m.TTid, proto.NoTid)
		if tm != nil {
			return tm.abort(m.TTid, false)
		}
	case *proto.StartOperation:
		if !s.mu.operational {
			// Forget what was stored but not locked before.
			if err := s.db.DropUnfinished(); err != nil {
				return err
			}
			if err := s.db.Commit(); err != nil {
				return err
			}
			s.mu.operational = true
			s.mu.log.Info("operational")
			l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady})
			s.startReplicatorLocked(l)
		}
	case *proto.AskLockInformation:
		if tm == nil || !s.mu.operational {
			return unexpected(m)
		}
		if err := tm.lock(m.TTid, m.Tid); err != nil {
			return err
		}
		l.Answer(req, &proto.TidMsg{PacketCode: proto.CodeAnswerInformationLocked, Tid: m.TTid})
	case *proto.TidMsg:
		return s.masterTidMsgLocked(l, req, m)
	case *proto.NotifyPackSigned:
		// Pack is not implemented: as NEO/py's --disable-pack, an
		// approved order counts as done at once, so that the cluster
		// (and a client waiting for its pack) goes on.
		for _, id := range m.Approved {
			if id > s.mu.lastPack {
				s.mu.lastPack = id
			}
		}
		if len(m.Approved) > 0 && s.mu.operational {
			l.Notify(&proto.TidMsg{PacketCode: proto.CodeNotifyPackCompleted, Tid: s.mu.lastPack})
		}
	case *proto.CheckPartition:
		s.checkPartitionLocked(l, m)
	case *proto.Replicate, *proto.NotifyRepair:
		s.mu.log.Warn("request not implemented by this storage", "packet", fmt.Sprintf("%T", m))
	default:
		return unexpected(m)
	}
	return nil
}

func unexpected(m proto.Msg) error {
	name, ok := proto.CodeName(m.Code())
	if !ok {
		name = fmt.Sprintf("%#04x", m.Code())
	}
	return &protocolError{"unexpected packet: " + name}
}

// REQUIRES: mu held.
func (s *Storage) masterNoArgsLocked(l *link.Link, req link.Request, m *proto.NoArgs, toClose *[]*link.Link) error {
	switch m.Code() {
	case proto.CodePing:
		l.Answer(req, &proto.NoArgs{PacketCode: proto.CodePong})
	case proto.CodeAskRecovery:
		l.Answer(req, &proto.AnswerRecovery{PTid: s.mu.pt.PTid,
			BackupTid: s.configTid("backup_tid"), TruncateTid: s.configTid("truncate_tid")})
	case proto.CodeAskPartitionTable:
		pt := s.mu.pt
		l.Answer(req, &proto.PartitionTable{PacketCode: proto.CodeAnswerPartitionTable,
			PTid: pt.PTid, NumReplicas: pt.NumReplicas, Rows: pt.Rows})
	case proto.CodeAskLockedTransactions:
		locked, err := s.db.LockedTransactions()
		if err != nil {
			return err
		}
		ans := &proto.AnswerLockedTransactions{}
		for ttid, tid := range locked {
			ans.Locked = append(ans.Locked, proto.LockedTxn{TTid: ttid, Tid: tid})
		}
		sort.Slice(ans.Locked, func(i, j int) bool { return ans.Locked[i].TTid < ans.Locked[j].TTid })
		l.Answer(req, ans)
	case proto.CodeAskLastIDs:
		if len(s.mu.pt.Assigned(s.mu.nid)) > 0 {
			// No pack is ever done here: the last completed one is none.
			l.Notify(&proto.TidMsg{PacketCode: proto.CodeNotifyPackCompleted, Tid: 0})
		}
		if err := s.truncateLocked(); err != nil {
			return err
		}
		lastTid, lastOid, firstTid, err := s.db.LastIDs()
		if err != nil {
			return err
		}
		l.Answer(req, &proto.AnswerLastIDs{LastTid: lastTid, LastOid: lastOid, FirstTid: firstTid})
	case proto.CodeStopOperation:
		s.mu.log.Info("operation stopped by the master")
		s.stopReplicatorLocked()
		s.mu.operational = false
		s.mu.cache.clear()
		if s.mu.tm != nil {
			s.mu.tm.queue.clear()
			s.mu.tm.readQueue.clear()
		}
		s.mu.tm = s.newTM()
		for pl := range s.mu.peers {
			*toClose = append(*toClose, pl)
		}
		s.mu.peers = map[*link.Link]*peer{}
	default:
		return unexpected(m)
	}
	return nil
}

// REQUIRES: mu held.
func (s *Storage) masterTidMsgLocked(l *link.Link, req link.Request, m *proto.TidMsg) error {
	switch m.Code() {
	case proto.CodeNotifyUnlockInformation:
		if s.mu.tm == nil || !s.mu.operational {
			return unexpected(m)
		}
		return s.mu.tm.unlock(m.Tid)
	case proto.CodeAskPackOrders:
		l.Answer(req, &proto.AnswerPackOrders{})
	case proto.CodeAskFinalTID:
		// Served outside the node lock: the lookup may read many rows.
		go func() {
			if err := s.askFinalTID(l, req, m.Tid); err != nil {
				s.log.Error("AskFinalTID", "err", err)
				l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: err.Error()})
			}
		}()
	case proto.CodeTruncate:
		// Done at the next AskLastIDs, as NEO/py.
		v := m.Tid.String()
		if err := s.db.SetConfig("backup_tid", nil); err != nil {
			return err
		}
		if err := s.db.SetConfig("truncate_tid", &v); err != nil {
			return err
		}
		return s.db.Commit()
	default:
		return unexpected(m)
	}
	return nil
}

// configTid reads a tid kept in config as NEO/py's dump writes it, 16
// hex digits (NoTid when absent or unreadable).
func (s *Storage) configTid(key string) zodb.Tid {
	v, ok, err := s.db.Config(key)
	if err != nil || !ok || len(v) != 16 {
		return proto.NoTid
	}
	n, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return proto.NoTid
	}
	return zodb.Tid(n)
}

// nodeInformationLocked applies the master's node list: our own entry
// DOWN or UNKNOWN stops the node; a client no longer running loses its
// transactions and connections.
// REQUIRES: mu held.
func (s *Storage) nodeInformationLocked(m *proto.NotifyNodeInformation, toClose *[]*link.Link) {
	s.mu.nodes.Update(m.Nodes)
	if !proto.IsNoTime(m.Timestamp) && m.Timestamp > s.mu.nodes.Timestamp {
		s.mu.nodes.Timestamp = m.Timestamp
	}
	for _, n := range m.Nodes {
		switch {
		case n.NID == s.mu.nid:
			s.mu.log.Info("told by the master", "state", n.State)
			if n.State == proto.NodeDown || n.State == proto.NodeUnknown {
				s.stop()
			}
		case n.Type == proto.Client && n.State != proto.NodeRunning:
			if s.mu.tm != nil {
				if err := s.mu.tm.abortFor(nil, n.NID, true); err != nil {
					s.mu.log.Error("abort of a gone client's transactions", "client", n.NID, "err", err)
				}
			}
			for pl, p := range s.mu.peers {
				if p.nid == n.NID {
					*toClose = append(*toClose, pl)
					delete(s.mu.peers, pl)
				}
			}
		}
	}
	s.notifyNodesChangedLocked()
	if s.mu.repl != nil {
		s.mu.repl.kick() // a source may be running now
	}
}

// notifyNodesChangedLocked wakes identifications waiting for node
// information. REQUIRES: mu held.
func (s *Storage) notifyNodesChangedLocked() {
	close(s.mu.nodesChanged)
	s.mu.nodesChanged = make(chan struct{})
}

// sendPartitionTableLocked replaces the whole table.
// REQUIRES: mu held.
func (s *Storage) sendPartitionTableLocked(m *proto.PartitionTable) error {
	for p, row := range m.Rows {
		if len(row) == 0 {
			return &protocolError{fmt.Sprintf("Partial partition table received (partition %d has no cell)", p)}
		}
	}
	pt := cluster.FromRows(m.PTid, m.NumReplicas, m.Rows)
	bpt := &backend.PartitionTable{PTid: m.PTid, NumReplicas: m.NumReplicas, NumPartitions: pt.NumPartitions()}
	for p, row := range pt.Rows {
		for _, c := range row {
			bpt.Cells = append(bpt.Cells, backend.Cell{Partition: uint32(p), NID: c.NID, State: c.State})
		}
	}
	s.mu.cache.clear()
	if err := s.db.SetPartitionTable(bpt, s.mu.nid); err != nil {
		return err
	}
	if err := s.db.Commit(); err != nil {
		return err
	}
	s.mu.pt = pt
	s.mu.log.Debug("partition table loaded", "ptid", pt.PTid, "partitions", pt.NumPartitions())
	return nil
}

// partitionChangesLocked applies NotifyPartitionChanges.
// REQUIRES: mu held.
func (s *Storage) partitionChangesLocked(m *proto.NotifyPartitionChanges) error {
	if m.PTid != s.mu.pt.PTid+1 {
		return &protocolError{"wrong partition table id"}
	}
	if err := s.mu.pt.Update(m.PTid, m.NumReplicas, m.Cells); err != nil {
		return &protocolError{err.Error()}
	}
	dropped := map[uint32]bool{}
	for _, c := range m.Cells {
		if c.NID == s.mu.nid && c.State == proto.Discarded {
			dropped[c.Partition] = true
		}
	}
	if s.mu.tm != nil {
		if err := s.mu.tm.discarded(dropped); err != nil {
			return err
		}
	}
	s.partitionStatesLocked(m.Cells)
	s.mu.cache.clear()
	if err := s.db.ChangePartitionTable(m.PTid, m.NumReplicas, m.Cells, s.mu.nid); err != nil {
		return err
	}
	return s.db.Commit()
}

// truncateLocked deletes, in our partitions, every transaction and
// object revision after the truncate_tid a Truncate left in config
// (NEO/py's DatabaseManager.truncate). REQUIRES: mu held.
func (s *Storage) truncateLocked() error {
	tid := s.configTid("truncate_tid")
	if tid == proto.NoTid {
		return nil
	}
	tgt, ok := s.db.(backend.ReplicationTarget)
	if !ok {
		return fmt.Errorf("truncate at %s: the database cannot delete transactions", tid)
	}
	s.mu.log.Info("truncating", "tid", tid)
	s.mu.cache.clear()
	for _, p := range s.mu.pt.Assigned(s.mu.nid) {
		for {
			tids, err := s.db.TIDsFrom(tid+1, proto.MaxTid, fetchCount, []uint32{p})
			if err != nil {
				return err
			}
			for _, t := range tids {
				if err := tgt.DeleteTransaction(t); err != nil {
					return err
				}
			}
			// Committed, so that the next read sees the rows gone.
			if err := s.db.Commit(); err != nil {
				return err
			}
			if len(tids) < fetchCount {
				break
			}
		}
		for {
			refs, err := tgt.ReplicationObjects(p, tid+1, proto.MaxTid, 0, fetchCount)
			if err != nil {
				return err
			}
			for _, r := range refs {
				if err := tgt.DeleteObject(r.Oid, r.Serial); err != nil {
					return err
				}
			}
			if err := s.db.Commit(); err != nil {
				return err
			}
			if len(refs) < fetchCount {
				break
			}
		}
	}
	if err := s.db.SetConfig("truncate_tid", nil); err != nil {
		return err
	}
	return s.db.Commit()
}
