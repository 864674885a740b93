package storage

import (
	"fmt"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// Feeding replication: another storage with an OUT_OF_DATE cell fetches
// a partition from us, transactions first then objects, in chunks
// (NEO/py's StorageOperationHandler, server side). Each chunk is a stream
// of AddTransaction or AddObject notifications carrying the request's msg
// id, then the answer listing what the peer has that we do not.

// feedingCheck answers REPLICATION_ERROR unless partition is readable
// here (NEO/py's checkFeedingConnection).
func (s *Storage) feedingCheck(p *peer, req link.Request, partition uint32) bool {
	s.mu.Lock()
	ok := s.readableLocked(partition)
	s.mu.Unlock()
	if !ok {
		p.l.Answer(req, &proto.Error{ErrCode: proto.ReplicationError, Message: fmt.Sprintf("partition %d not readable", partition)})
	}
	return ok
}

func (s *Storage) askFetchTransactions(p *peer, req link.Request, m *proto.AskFetchTransactions) error {
	if !s.feedingCheck(p, req, m.Partition) {
		return nil
	}
	// Transactions up to MaxTid still locked here would be missed.
	return s.delayedRead(p, func(tm *txnManager) bool { return tm.lockedTid(m.MaxTid) }, func(bool) {
		if err := s.feedTransactions(p, req, m); err != nil {
			s.peerError(p, req, err)
		}
	})
}

func (s *Storage) feedTransactions(p *peer, req link.Request, m *proto.AskFetchTransactions) error {
	tids, err := s.db.TIDsFrom(m.MinTid, m.MaxTid, int(m.Length)+1, []uint32{m.Partition})
	if err != nil {
		return err
	}
	next := proto.NoTid
	if len(tids) > int(m.Length) {
		next, tids = tids[len(tids)-1], tids[:len(tids)-1]
	}
	peerHas := make(map[zodb.Tid]bool, len(m.Tids))
	for _, t := range m.Tids {
		peerHas[t] = true
	}
	for _, tid := range tids {
		if peerHas[tid] {
			delete(peerHas, tid)
			continue
		}
		t, err := s.db.Transaction(tid, false)
		if err != nil || t == nil {
			p.l.Answer(req, &proto.Error{ErrCode: proto.ReplicationError, Message: fmt.Sprintf("partition %d dropped", m.Partition)})
			return nil
		}
		p.l.Answer(req, &proto.AddTransaction{Tid: tid, User: t.User, Description: t.Description,
			Extension: t.Extension, Packed: t.Packed, TTid: t.TTid, Oids: t.Oids})
	}
	ans := &proto.AnswerFetchTransactions{NextTid: next, CompletedPack: proto.NoTid}
	for t := range peerHas {
		ans.Tids = append(ans.Tids, t)
	}
	if m.AskPackInfo {
		// No pack is ever done here.
		ans.CompletedPack = 0
	}
	p.l.Answer(req, ans)
	return nil
}

func (s *Storage) askFetchObjects(p *peer, req link.Request, m *proto.AskFetchObjects) error {
	if !s.feedingCheck(p, req, m.Partition) {
		return nil
	}
	src, ok := s.db.(backend.ReplicationSource)
	if !ok {
		p.l.Answer(req, &proto.Error{ErrCode: proto.ReplicationError, Message: "this storage's database cannot feed replication"})
		return nil
	}
	s.mu.Lock()
	locked := s.mu.tm != nil && s.mu.tm.lockedTid(m.MaxTid)
	s.mu.Unlock()
	if locked {
		return &protocolError{"transactions must be fetched before objects"}
	}
	refs, err := src.ReplicationObjects(m.Partition, m.MinTid, m.MaxTid, m.MinOid, int(m.Length)+1)
	if err != nil {
		return err
	}
	ans := &proto.AnswerFetchObjects{NextTid: proto.NoTid, NextOid: proto.NoOid}
	if len(refs) > int(m.Length) {
		last := refs[len(refs)-1]
		ans.NextTid, ans.NextOid, refs = last.Serial, last.Oid, refs[:len(refs)-1]
	}
	peerHas := map[backend.ObjectRef]bool{}
	for _, e := range m.Objects {
		for _, oid := range e.Oids {
			peerHas[backend.ObjectRef{Serial: e.Serial, Oid: oid}] = true
		}
	}
	for _, r := range refs {
		if peerHas[r] {
			delete(peerHas, r)
			continue
		}
		o, err := s.db.Object(r.Oid, r.Serial, proto.NoTid)
		if err != nil {
			p.l.Answer(req, &proto.Error{ErrCode: proto.ReplicationError, Message: fmt.Sprintf("partition %d dropped or truncated", m.Partition)})
			return nil
		}
		add := &proto.AddObject{Oid: r.Oid, Serial: r.Serial, Compression: int64(o.Compression),
			Checksum: o.Checksum[:], Data: o.Data, DataSerial: o.DataSerial}
		if o.Checksum == backend.ZeroHash {
			// No data (a deletion, or an undone creation).
			add.Compression, add.Data = 0, nil
		}
		p.l.Answer(req, add)
	}
	// What the peer has and we do not: to delete, grouped by serial in
	// the order the peer sent them.
	for _, e := range m.Objects {
		var oids []zodb.Oid
		for _, oid := range e.Oids {
			if peerHas[backend.ObjectRef{Serial: e.Serial, Oid: oid}] {
				oids = append(oids, oid)
			}
		}
		if len(oids) > 0 {
			ans.Objects = append(ans.Objects, proto.SerialOids{Serial: e.Serial, Oids: oids})
		}
	}
	p.l.Answer(req, ans)
	return nil
}
