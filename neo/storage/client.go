package storage

import (
	"crypto/sha1"
	"errors"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// servePeer handles one request of an identified client or storage
// (NEO/py's ClientOperationHandler and StorageOperationHandler).
func (s *Storage) servePeer(p *peer, req link.Request) {
	var err error
	switch m := req.Msg.(type) {
	case *proto.AskObject:
		err = s.askObject(p, req, m)
	case *proto.AskStoreObject:
		err = s.askStoreObject(p, req, m)
	case *proto.AskCheckCurrentSerial:
		err = s.askCheckCurrentSerial(p, req, m)
	case *proto.TidOid:
		if m.Code() != proto.CodeAskRelockObject {
			err = unexpected(m)
			break
		}
		err = s.askRelockObject(p, req, m)
	case *proto.AskStoreTransaction:
		err = s.askStoreTransaction(p, req, m)
	case *proto.AbortTransaction:
		err = s.withTM(func(tm *txnManager) error { return tm.abort(m.TTid, false) })
	case *proto.AskTIDs:
		err = s.askTIDs(p, req, m)
	case *proto.AskTIDsFrom:
		err = s.askTIDsFrom(p, req, m)
	case *proto.AskObjectHistory:
		err = s.askObjectHistory(p, req, m)
	case *proto.AskOIDsFrom:
		err = s.askOIDsFrom(p, req, m)
	case *proto.AskFetchTransactions, *proto.AskFetchObjects, *proto.AskCheckTIDRange, *proto.AskCheckSerialRange:
		err = s.serveStoragePeer(p, req)
	case *proto.AskObjectUndoSerial:
		err = s.askObjectUndoSerial(p, req, m)
	case *proto.TidMsg:
		err = s.peerTidMsg(p, req, m)
	case *proto.NoArgs:
		switch m.Code() {
		case proto.CodePing:
			p.l.Answer(req, &proto.NoArgs{PacketCode: proto.CodePong})
		case proto.CodeCloseClient:
		default:
			err = unexpected(m)
		}
	default:
		err = unexpected(m)
	}
	if err != nil {
		s.peerError(p, req, err)
	}
}

// serveStoragePeer handles the requests only storages make: replication
// and the replica checker (NEO/py's StorageOperationHandler).
func (s *Storage) serveStoragePeer(p *peer, req link.Request) error {
	if p.typ != proto.Storage {
		return unexpected(req.Msg)
	}
	switch m := req.Msg.(type) {
	case *proto.AskFetchTransactions:
		return s.askFetchTransactions(p, req, m)
	case *proto.AskFetchObjects:
		return s.askFetchObjects(p, req, m)
	case *proto.AskCheckTIDRange:
		return s.askCheckTIDRange(p, req, m)
	case *proto.AskCheckSerialRange:
		return s.askCheckSerialRange(p, req, m)
	}
	return unexpected(req.Msg)
}

// peerError answers a failed request: PROTOCOL_ERROR and close for a
// protocol error, as NEO/py; a database error is logged and answered
// with PROTOCOL_ERROR too, so that the client does not wait forever.
func (s *Storage) peerError(p *peer, req link.Request, err error) {
	var pe *protocolError
	if !errors.As(err, &pe) {
		s.log.Error("request failed", "peer", p.nid, "err", err)
	}
	p.l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: err.Error()})
	p.l.Close()
}

// errNotOperational: the node left operation while the request was read.
var errNotOperational = &protocolError{"storage not operational"}

// withTM runs f with the transaction manager under the node lock.
func (s *Storage) withTM(f func(tm *txnManager) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.tm == nil || !s.mu.operational {
		return errNotOperational
	}
	return f(s.mu.tm)
}

// withPeerTM is withTM for a request of p that registers a transaction:
// it is dropped if p's link went down, as NEO/py does not handle packets
// of a closed connection (peerGone aborted p's transactions already or
// will, since it takes the node lock after the link is down).
func (s *Storage) withPeerTM(p *peer, f func(tm *txnManager) error) error {
	return s.withTM(func(tm *txnManager) error {
		if p.l.Err() != nil {
			return nil
		}
		return f(tm)
	})
}

// delayed queues run in q (of tm) unless it finishes now; run is called
// under the node lock and reports whether it is done. Events of a closed
// connection are dropped.
func delayed(q *eventQueue, l *link.Link, key zodb.Tid, keyed bool, run func() bool) {
	if run() {
		return
	}
	q.add(event{key: key, keyed: keyed, run: func() bool {
		if l.Err() != nil {
			return true
		}
		return run()
	}})
}

// oidError is the Error answering a load of a missing revision: the oid
// as 16 hex digits, as NEO/py's dump.
func oidError(code proto.ErrorCode, oid zodb.Oid) *proto.Error {
	return &proto.Error{ErrCode: code, Message: oid.String()}
}

func (s *Storage) askObject(p *peer, req link.Request, m *proto.AskObject) error {
	s.mu.Lock()
	tm := s.mu.tm
	if tm == nil || !s.mu.operational {
		s.mu.Unlock()
		return errNotOperational
	}
	if tm.loadLocked(m.Oid) {
		// Its last revision is being unlocked: wait for it.
		tm.readQueue.add(event{run: func() bool {
			if p.l.Err() != nil {
				return true
			}
			if tm.loadLocked(m.Oid) {
				return false
			}
			s.loadObjectLocked(p, req, m)
			return true
		}})
		s.mu.Unlock()
		return nil
	}
	if !s.readableLocked(s.oidPartition(m.Oid)) {
		s.mu.Unlock()
		p.l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
		return nil
	}
	if o := s.mu.cache.get(m.Oid, m.At, m.Before); o != nil {
		s.mu.Unlock()
		s.sendObject(p, req, m, o, nil)
		return nil
	}
	gen := s.mu.cache.gen
	s.mu.Unlock()
	o, err := s.db.Object(m.Oid, m.At, m.Before)
	if err == nil {
		s.mu.Lock()
		s.mu.cache.put(o, gen)
		s.mu.Unlock()
	}
	s.sendObject(p, req, m, o, err)
	return nil
}

// loadObjectLocked serves a delayed AskObject.
// REQUIRES: mu held.
func (s *Storage) loadObjectLocked(p *peer, req link.Request, m *proto.AskObject) {
	if !s.readableLocked(s.oidPartition(m.Oid)) {
		p.l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
		return
	}
	o := s.mu.cache.get(m.Oid, m.At, m.Before)
	var err error
	if o == nil {
		o, err = s.db.Object(m.Oid, m.At, m.Before)
		if err == nil {
			s.mu.cache.put(o, s.mu.cache.gen)
		}
	}
	s.sendObject(p, req, m, o, err)
}

// sendObject answers AskObject with the revision read (or its error).
func (s *Storage) sendObject(p *peer, req link.Request, m *proto.AskObject, o *backend.Object, err error) {
	switch {
	case errors.Is(err, backend.ErrOidDoesNotExist):
		p.l.Answer(req, oidError(proto.OidDoesNotExist, m.Oid))
	case errors.Is(err, backend.ErrOidNotFound):
		p.l.Answer(req, oidError(proto.OidNotFound, m.Oid))
	case err != nil:
		s.peerError(p, req, err)
	default:
		ans := &proto.AnswerObject{Oid: m.Oid, Serial: o.Serial, NextSerial: o.NextSerial,
			Compression: int64(o.Compression), Checksum: o.Checksum[:], Data: o.Data, DataSerial: o.DataSerial}
		if o.Checksum == backend.ZeroHash {
			ans.Data = nil
		}
		p.l.Answer(req, ans)
	}
}

// storeCheck validates AskStoreObject's data: the compression flag, the
// checksum (SHA-1 of the data as sent).
func storeCheck(m *proto.AskStoreObject) (sum [20]byte, hasData bool, err error) {
	if m.Compression < 0 || m.Compression > 1 {
		return sum, false, &protocolError{"invalid compression value"}
	}
	if len(m.Checksum) != len(sum) {
		return sum, false, &protocolError{fmt.Sprintf("invalid checksum (%d bytes)", len(m.Checksum))}
	}
	copy(sum[:], m.Checksum)
	if len(m.Data) == 0 && sum == backend.ZeroHash {
		return sum, false, nil
	}
	if sha1.Sum(m.Data) != sum {
		return sum, false, &protocolError{"invalid checksum"}
	}
	return sum, true, nil
}

func (s *Storage) askStoreObject(p *peer, req link.Request, m *proto.AskStoreObject) error {
	sum, hasData, err := storeCheck(m)
	if err != nil {
		return err
	}
	data := m.Data
	if !hasData {
		data = nil
	}
	return s.withPeerTM(p, func(tm *txnManager) error {
		tm.register(p, m.TTid)
		var ferr error
		delayed(&tm.queue, p.l, m.TTid, true, func() bool {
			tid, err := tm.storeObject(m.TTid, m.Serial, m.Oid, byte(m.Compression), sum, data, hasData, m.DataSerial)
			return s.answerLock(p, req, proto.CodeAnswerStoreObject, tid, err, &ferr)
		})
		return ferr
	})
}

func (s *Storage) askCheckCurrentSerial(p *peer, req link.Request, m *proto.AskCheckCurrentSerial) error {
	return s.withPeerTM(p, func(tm *txnManager) error {
		tm.register(p, m.TTid)
		var ferr error
		delayed(&tm.queue, p.l, m.TTid, true, func() bool {
			tid, err := tm.checkCurrentSerial(m.TTid, m.Oid, m.Serial)
			return s.answerLock(p, req, proto.CodeAnswerCheckCurrentSerial, tid, err, &ferr)
		})
		return ferr
	})
}

// answerLock answers a store or a check with what the lock attempt gave:
// nil (locked), ZERO_TID (accepted without lock, or forgotten), or the
// conflicting serial. It returns false to stay delayed. A database error
// goes to ferr when the request is handled now, else is answered.
// REQUIRES: the node lock held.
func (s *Storage) answerLock(p *peer, req link.Request, code uint16, tid zodb.Tid, err error, ferr *error) bool {
	var c *conflictError
	switch {
	case err == nil:
	case errors.Is(err, errDelay):
		return false
	case errors.As(err, &c):
		tid = c.tid
	case errors.Is(err, errNonReadable), errors.Is(err, errNotRegistered):
		tid = 0
	default:
		if ferr != nil {
			*ferr = err
		}
		s.mu.log.Error("store failed", "peer", p.nid, "err", err)
		p.l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: err.Error()})
		return true
	}
	p.l.Answer(req, &proto.TidMsg{PacketCode: code, Tid: tid})
	return true
}

func (s *Storage) askRelockObject(p *peer, req link.Request, m *proto.TidOid) error {
	return s.withTM(func(tm *txnManager) error {
		c, err := tm.relockObject(m.TTid, m.Oid, true)
		if errors.Is(err, errDelay) {
			tm.queue.add(event{key: m.TTid, keyed: true, run: func() bool {
				if p.l.Err() != nil {
					return true
				}
				c, err := tm.relockObject(m.TTid, m.Oid, false)
				if errors.Is(err, errDelay) {
					return false
				}
				if err != nil && !errors.Is(err, errNonReadable) {
					s.mu.log.Error("relock failed", "peer", p.nid, "err", err)
					p.l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: err.Error()})
					return true
				}
				p.l.Answer(req, &proto.AnswerRelockObject{Conflict: c})
				return true
			}})
			return nil
		}
		if err != nil && !errors.Is(err, errNonReadable) {
			return err
		}
		p.l.Answer(req, &proto.AnswerRelockObject{Conflict: c})
		return nil
	})
}

func (s *Storage) askStoreTransaction(p *peer, req link.Request, m *proto.AskStoreTransaction) error {
	return s.withPeerTM(p, func(tm *txnManager) error {
		tm.register(p, m.TTid)
		if m.Pack != nil {
			s.mu.log.Info("pack order not carried out: pack is not implemented by this storage", "ttid", m.TTid)
		}
		meta := &backend.Txn{Tid: proto.NoTid, TTid: m.TTid, User: m.User, Description: m.Description,
			Extension: m.Extension, Oids: m.Oids}
		if err := tm.vote(m.TTid, meta); err != nil {
			return err
		}
		p.l.Answer(req, &proto.NoArgs{PacketCode: proto.CodeAnswerStoreTransaction})
		return nil
	})
}

// peerTidMsg serves the requests whose only argument is a tid.
func (s *Storage) peerTidMsg(p *peer, req link.Request, m *proto.TidMsg) error {
	switch m.Code() {
	case proto.CodeAskVoteTransaction:
		return s.withTM(func(tm *txnManager) error {
			if err := tm.vote(m.Tid, nil); err != nil {
				return err
			}
			p.l.Answer(req, &proto.NoArgs{PacketCode: proto.CodeAnswerVoteTransaction})
			return nil
		})
	case proto.CodeAskTransactionInformation:
		return s.askTransactionInformation(p, req, m.Tid)
	case proto.CodeAskFinalTID:
		return s.askFinalTID(p.l, req, m.Tid)
	}
	return unexpected(m)
}
