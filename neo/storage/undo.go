package storage

import (
	"errors"
	"math"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// Undo support: AskObjectUndoSerial, as NEO/py's findUndoTID
// (neo/storage/database/manager.py), built on the backend's History and
// Object.

// undoRevision is a revision after the undone one: its serial and the
// revision whose data it reuses (NoTid when its own).
type undoRevision struct {
	tid, valueTid zodb.Tid
}

// historyForUndo returns the revision before undoTid (NoTid when none)
// and the revisions after it, oldest first; ok is false when oid has no
// revision at undoTid.
func (s *Storage) historyForUndo(oid zodb.Oid, undoTid zodb.Tid) (undone zodb.Tid, after []undoRevision, ok bool, err error) {
	h, err := s.db.History(oid, 0, math.MaxInt32)
	if errors.Is(err, backend.ErrOidNotFound) || errors.Is(err, backend.ErrOidDoesNotExist) {
		return proto.NoTid, nil, false, nil
	}
	if err != nil {
		return proto.NoTid, nil, false, err
	}
	at := -1
	for i, e := range h { // newest first
		if e.Serial == undoTid {
			at = i
			break
		}
	}
	if at < 0 {
		return proto.NoTid, nil, false, nil
	}
	undone = proto.NoTid
	if at+1 < len(h) {
		undone = h[at+1].Serial
	}
	for i := at - 1; i >= 0; i-- {
		o, err := s.db.Object(oid, h[i].Serial, proto.NoTid)
		if err != nil {
			return proto.NoTid, nil, false, err
		}
		after = append(after, undoRevision{h[i].Serial, o.DataSerial})
	}
	return undone, after, true, nil
}

// findUndoTID says, for undoing undoTid on oid in a transaction that sees
// the database before ltid (NoTid: everything), which revision is current
// (current: the transaction's own store of oid, if any), the revision
// whose data the undo restores (NoTid: undoing the creation) and whether
// that is the current data. found is false when undoTid did not touch oid.
func (s *Storage) findUndoTID(oid zodb.Oid, ltid, undoTid zodb.Tid, current zodb.Tid, haveCurrent bool) (r proto.UndoSerial, found bool, err error) {
	undone, history, ok, err := s.historyForUndo(oid, undoTid)
	if err != nil || !ok {
		return r, false, err
	}
	if !haveCurrent {
		found := false
		for i := len(history) - 1; i >= 0; i-- {
			if ltid == proto.NoTid || history[i].tid < ltid {
				current, found = history[i].tid, true
				break
			}
		}
		if !found {
			if ltid != proto.NoTid && ltid <= undoTid {
				// Undoing a transaction the undoer cannot see.
				return proto.UndoSerial{Oid: oid, CurrentSerial: proto.NoTid, UndoSerial: proto.NoTid}, true, nil
			}
			current = undoTid
		}
	}
	isCurrent := current == undoTid
	for _, h := range history {
		if h.valueTid == proto.NoTid {
			continue
		}
		switch {
		case h.valueTid == undone:
			undone = h.tid
		case h.valueTid == undoTid:
			if current == h.tid {
				isCurrent = true
			} else {
				undoTid = h.tid
			}
		}
	}
	return proto.UndoSerial{Oid: oid, CurrentSerial: current, UndoSerial: undone, IsCurrent: isCurrent}, true, nil
}

func (s *Storage) askObjectUndoSerial(p *peer, req link.Request, m *proto.AskObjectUndoSerial) error {
	return s.withTM(func(tm *txnManager) error {
		ans := &proto.AnswerObjectUndoSerial{}
		for _, oid := range m.Oids {
			if !s.readableLocked(s.oidPartition(oid)) {
				p.l.Answer(req, &proto.Error{ErrCode: proto.NonReadableCell})
				return nil
			}
			current, have := proto.NoTid, false
			if t := tm.txns[m.TTid]; t != nil {
				if st := t.stores[oid]; st != nil {
					current, have = st.valueSerial, true
					if current == proto.NoTid {
						current = m.TTid
					}
				}
			}
			r, found, err := s.findUndoTID(oid, m.LTid, m.UndoneTid, current, have)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			if r.CurrentSerial == proto.NoTid {
				p.l.Answer(req, oidError(proto.OidNotFound, oid))
				return nil
			}
			ans.Serials = append(ans.Serials, r)
		}
		p.l.Answer(req, ans)
		return nil
	})
}
