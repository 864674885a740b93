package storage

import (
	"errors"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// Reads of committed data for clients: transactions, history, iteration.

// readablePartitions is the list of partitions p names: every readable
// one of ours for InvalidPartition. ok is false when p is not readable.
// REQUIRES: mu held.
func (s *Storage) readablePartitionsLocked(p uint32) ([]uint32, bool) {
	if p == proto.InvalidPartition {
		return s.mu.pt.ReadablePartitions(s.mu.nid), true
	}
	return []uint32{p}, s.readableLocked(p)
}

func (s *Storage) askTransactionInformation(p *peer, req link.Request, tid zodb.Tid) error {
	s.mu.Lock()
	np := s.mu.pt.NumPartitions()
	readable := np > 0 && s.readableLocked(s.mu.pt.TidPartition(tid))
	s.mu.Unlock()
	if !readable {
		p.l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
		return nil
	}
	t, err := s.db.Transaction(tid, false)
	if errors.Is(err, backend.ErrTidNotFound) || err == nil && t == nil {
		p.l.Answer(req, &proto.Error{ErrCode: proto.TidNotFound, Message: tid.String() + " does not exist"})
		return nil
	}
	if err != nil {
		return err
	}
	p.l.Answer(req, &proto.AnswerTransactionInformation{Tid: tid, User: t.User, Description: t.Description,
		Extension: t.Extension, Packed: t.Packed, Oids: t.Oids})
	return nil
}

func (s *Storage) askTIDs(p *peer, req link.Request, m *proto.AskTIDs) error {
	if m.First >= m.Last || m.First < 0 {
		return &protocolError{"invalid offsets"}
	}
	s.mu.Lock()
	parts, ok := s.readablePartitionsLocked(m.Partition)
	s.mu.Unlock()
	if !ok {
		p.l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
		return nil
	}
	var tids []zodb.Tid
	if len(parts) > 0 {
		var err error
		tids, err = s.db.TIDList(int(m.First), int(m.Last-m.First), parts)
		if err != nil {
			return err
		}
	}
	p.l.Answer(req, &proto.TidList{PacketCode: proto.CodeAnswerTIDs, Tids: tids})
	return nil
}

// delayedRead runs answer now, or once no transaction matching locked is
// locked but not unlocked (answer then runs under the node lock, and its
// argument says so).
func (s *Storage) delayedRead(p *peer, locked func(tm *txnManager) bool, answer func(underLock bool)) error {
	s.mu.Lock()
	tm := s.mu.tm
	if tm == nil || !s.mu.operational {
		s.mu.Unlock()
		return errNotOperational
	}
	if locked(tm) {
		tm.readQueue.add(event{run: func() bool {
			if p.l.Err() != nil {
				return true
			}
			if locked(tm) {
				return false
			}
			answer(true)
			return true
		}})
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	answer(false)
	return nil
}

func (s *Storage) askTIDsFrom(p *peer, req link.Request, m *proto.AskTIDsFrom) error {
	return s.delayedRead(p, func(tm *txnManager) bool { return tm.lockedTid(m.MaxTid) }, func(bool) {
		tids, err := s.db.TIDsFrom(m.MinTid, m.MaxTid, int(m.Length), []uint32{m.Partition})
		if err != nil {
			s.peerError(p, req, err)
			return
		}
		p.l.Answer(req, &proto.TidList{PacketCode: proto.CodeAnswerTIDsFrom, Tids: tids})
	})
}

func (s *Storage) askOIDsFrom(p *peer, req link.Request, m *proto.AskOIDsFrom) error {
	return s.delayedRead(p, func(tm *txnManager) bool { return tm.lockedTid(m.Tid) }, func(bool) {
		next, oids, err := s.db.OidsFrom(m.Partition, int(m.Length), m.MinOid, m.Tid)
		if err != nil {
			s.peerError(p, req, err)
			return
		}
		p.l.Answer(req, &proto.AnswerOIDsFrom{NextOid: next, Oids: oids})
	})
}

func (s *Storage) askObjectHistory(p *peer, req link.Request, m *proto.AskObjectHistory) error {
	if m.First >= m.Last || m.First < 0 {
		return &protocolError{"invalid offsets"}
	}
	return s.delayedRead(p, func(tm *txnManager) bool { return tm.loadLocked(m.Oid) }, func(underLock bool) {
		if !underLock {
			s.mu.Lock()
			defer s.mu.Unlock()
		}
		s.answerHistory(p, req, m, s.readableLocked(s.oidPartition(m.Oid)))
	})
}

func (s *Storage) answerHistory(p *peer, req link.Request, m *proto.AskObjectHistory, readable bool) {
	if !readable {
		p.l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
		return
	}
	h, err := s.db.History(m.Oid, int(m.First), int(m.Last-m.First))
	if errors.Is(err, backend.ErrOidNotFound) || errors.Is(err, backend.ErrOidDoesNotExist) || err == nil && len(h) == 0 {
		p.l.Answer(req, oidError(proto.OidNotFound, m.Oid))
		return
	}
	if err != nil {
		s.peerError(p, req, err)
		return
	}
	p.l.Answer(req, &proto.AnswerObjectHistory{Oid: m.Oid, History: h})
}

// finalTIDer is what a backend may offer to find a transaction by its
// ttid in one lookup (neo/storage/sqlite does).
type finalTIDer interface {
	FinalTID(ttid zodb.Tid) (zodb.Tid, error)
}

// committedFinalTID finds the tid under which transaction ttid was
// committed (NoTid if not): NEO/py's getFinalTID, a lookup of the
// transactions from ttid on in ttid's partition (the master chooses the
// tid in that partition, usually the first one found).
// REQUIRES: the partition of ttid is readable.
func (s *Storage) committedFinalTID(ttid zodb.Tid, partition uint32) (zodb.Tid, error) {
	if f, ok := s.db.(finalTIDer); ok {
		return f.FinalTID(ttid)
	}
	const batch = 100
	for min := ttid; ; {
		tids, err := s.db.TIDsFrom(min, proto.MaxTid, batch, []uint32{partition})
		if err != nil {
			return proto.NoTid, err
		}
		for _, tid := range tids {
			t, err := s.db.Transaction(tid, false)
			if err != nil && !errors.Is(err, backend.ErrTidNotFound) {
				return proto.NoTid, err
			}
			if t != nil && t.TTid == ttid {
				return tid, nil
			}
		}
		if len(tids) < batch {
			return proto.NoTid, nil
		}
		min = tids[len(tids)-1] + 1
	}
}

// askFinalTID answers AskFinalTID from a client or the master: the tid
// of ttid if locked here, else the tid it was committed with.
func (s *Storage) askFinalTID(l *link.Link, req link.Request, ttid zodb.Tid) error {
	s.mu.Lock()
	if s.mu.tm != nil {
		if tid, ok := s.mu.tm.finalTID(ttid); ok {
			s.mu.Unlock()
			l.Answer(req, &proto.TidMsg{PacketCode: proto.CodeAnswerFinalTID, Tid: tid})
			return nil
		}
	}
	np := s.mu.pt.NumPartitions()
	var p uint32
	readable := np > 0
	if readable {
		p = s.mu.pt.TidPartition(ttid)
		readable = s.readableLocked(p)
	}
	s.mu.Unlock()
	if !readable {
		l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
		return nil
	}
	tid, err := s.committedFinalTID(ttid, p)
	if err != nil {
		return err
	}
	l.Answer(req, &proto.TidMsg{PacketCode: proto.CodeAnswerFinalTID, Tid: tid})
	return nil
}
