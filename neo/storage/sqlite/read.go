package sqlite

import (
	"fmt"
	"strings"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// The readers below run on readers' connections, concurrently with each
// other and with the writer; they see what was committed (Unlock commits,
// so a transaction is visible as soon as it is unlocked).

// read runs fn with a reader, wrapping its failures with op; the answers
// (backend.ErrOid*, ErrTidNotFound) are returned as they are.
func (db *DB) read(op func() string, fn func(r *reader) error) (err error) {
	r, err := db.getReader()
	if err != nil {
		return err
	}
	defer func() { db.putReader(r, err) }()
	if err = fn(r); err != nil && !isAnswer(err) {
		err = db.errorf(op(), err)
	}
	return err
}

// Object returns a committed revision of oid: the current one when at and
// before are NoTid, the one with serial at, or the last one strictly
// before before. Errors: backend.ErrOidDoesNotExist when oid has no
// revision (or, with at/before, none at all), backend.ErrOidNotFound when
// it has revisions but not the one asked (NEO/py's getObject None/False).
func (db *DB) Object(oid zodb.Oid, at, before zodb.Tid) (o *backend.Object, err error) {
	op := func() string { return fmt.Sprintf("load %s", oid) }
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return nil, db.errorf(op(), err)
	}
	err = db.read(op, func(r *reader) error {
		var ok bool
		var err error
		switch {
		case at != proto.NoTid:
			ok, err = r.one(r.st.objAt, 6, int64(p), int64(oid), sqlTid(at))
		case before != proto.NoTid && before <= proto.MaxTid:
			ok, err = r.one(r.st.objBefore, 6, int64(p), int64(oid), int64(before))
		default:
			ok, err = r.one(r.st.objCurrent, 6, int64(p), int64(oid))
		}
		if err != nil {
			return err
		}
		if !ok {
			return objectMissing(r, oid, p, at != proto.NoTid || before != proto.NoTid)
		}
		o, err = scanObject(oid, vals{v: r.dest[:6]})
		return err
	})
	return o, err
}

// scanObject reads a row of the object queries: tid, compression, hash,
// value, value_tid, next tid.
func scanObject(oid zodb.Oid, v vals) (*backend.Object, error) {
	o := &backend.Object{
		Oid:        oid,
		Serial:     zodb.Tid(v.int(0)),
		Data:       v.bytes(3),
		DataSerial: v.tid(4),
		NextSerial: v.tid(5),
	}
	if !v.null(2) { // a data row: not a deletion
		hash, compression := v.bytes(2), v.int(1)
		if v.err == nil && (len(hash) != len(o.Checksum) || compression < 0 || compression > 255) {
			return nil, fmt.Errorf("%w: %s@%s: data row with a %d-byte hash, compression %d",
				zodb.ErrCorrupt, oid, o.Serial, len(hash), compression)
		}
		copy(o.Checksum[:], hash)
		o.Compression = byte(compression)
	}
	return o, v.err
}

// objectMissing tells OID_NOT_FOUND from OID_DOES_NOT_EXIST: with a tid
// asked, an object that has other revisions is "not found".
func objectMissing(r *reader, oid zodb.Oid, p uint32, exact bool) error {
	if exact {
		ok, err := r.one(r.st.lastObjectTid, 1, int64(p), int64(oid))
		if err != nil {
			return err
		}
		if ok {
			return backend.ErrOidNotFound
		}
	}
	return backend.ErrOidDoesNotExist
}

// sqlTid maps a tid to the signed column; tids above NEO's MAX_TID match
// nothing.
func sqlTid(t zodb.Tid) int64 {
	if t > proto.MaxTid {
		return -1
	}
	return int64(t)
}

// LastObjectTid is the serial of oid's last committed revision (NoTid
// when none).
func (db *DB) LastObjectTid(oid zodb.Oid) (tid zodb.Tid, err error) {
	op := func() string { return fmt.Sprintf("last serial of %s", oid) }
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return proto.NoTid, db.errorf(op(), err)
	}
	tid = proto.NoTid
	err = db.read(op, func(r *reader) error {
		ok, err := r.one(r.st.lastObjectTid, 1, int64(p), int64(oid))
		if ok {
			v := vals{v: r.dest[:1]}
			tid = zodb.Tid(v.int(0))
			err = v.err
		}
		return err
	})
	return tid, err
}

// Transaction returns committed transaction tid, or with temporary a
// locked one (ttrans with tid set). Error: backend.ErrTidNotFound.
func (db *DB) Transaction(tid zodb.Tid, temporary bool) (t *backend.Txn, err error) {
	op := func() string { return fmt.Sprintf("transaction %s", tid) }
	p, err := db.layout.Load().partition(uint64(tid))
	if err != nil {
		return nil, db.errorf(op(), err)
	}
	err = db.read(op, func(r *reader) error {
		ok, err := r.one(r.st.trans, 6, int64(p), sqlTid(tid))
		if err == nil && !ok && temporary {
			ok, err = r.one(r.st.ttrans, 6, sqlTid(tid))
		}
		if err != nil {
			return err
		}
		if !ok {
			return backend.ErrTidNotFound
		}
		t, err = scanTxn(tid, vals{v: r.dest[:6]})
		return err
	})
	return t, err
}

// scanTxn reads oids, user, description, ext, packed, ttid.
func scanTxn(tid zodb.Tid, v vals) (*backend.Txn, error) {
	t := &backend.Txn{
		Tid:         tid,
		User:        v.bytes(1),
		Description: v.bytes(2),
		Extension:   v.bytes(3),
		Packed:      v.int(4) != 0,
		TTid:        zodb.Tid(v.int(5)),
	}
	oids := v.bytes(0)
	if v.err != nil {
		return nil, v.err
	}
	var err error
	t.Oids, err = DecodeOids(oids)
	return t, err
}

// History returns oid's revisions, newest first, skipping offset, at most
// length, with the size of their data (0 for a deletion).
func (db *DB) History(oid zodb.Oid, offset, length int) (h []proto.HistoryEntry, err error) {
	if length <= 0 { // SQLite's LIMIT takes a negative length as no limit
		return nil, nil
	}
	offset = max(offset, 0)
	op := func() string { return fmt.Sprintf("history of %s", oid) }
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return nil, db.errorf(op(), err)
	}
	err = db.read(op, func(r *reader) error {
		return r.eachStmt(r.st.history, "", 2, []int64{int64(p), int64(oid), int64(offset), int64(length)}, func(v vals) error {
			h = append(h, proto.HistoryEntry{Serial: zodb.Tid(v.int(0)), Size: v.int(1)})
			return v.err
		})
	})
	return h, err
}

// partitionList renders partitions for an IN (...) clause: they are
// numbers, never text from the wire.
func partitionList(partitions []uint32) string {
	var b strings.Builder
	for i, p := range partitions {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", p)
	}
	return b.String()
}

// tids runs a query returning one tid column.
func (db *DB) tids(op, q string, args ...int64) (tids []zodb.Tid, err error) {
	err = db.read(func() string { return op }, func(r *reader) error {
		return r.each(q, 1, args, func(v vals) error {
			tids = append(tids, zodb.Tid(v.int(0)))
			return v.err
		})
	})
	return tids, err
}

// TIDList returns committed tids of the given partitions, newest first,
// skipping offset, at most length (AnswerTIDs).
func (db *DB) TIDList(offset, length int, partitions []uint32) ([]zodb.Tid, error) {
	if len(partitions) == 0 || length <= 0 {
		return nil, nil
	}
	offset = max(offset, 0)
	return db.tids("tid list", "SELECT tid FROM trans WHERE partition IN ("+partitionList(partitions)+
		") ORDER BY tid DESC LIMIT ?,?", int64(offset), int64(length))
}

// TIDsFrom returns committed tids in [min, max] of the given partitions,
// oldest first, at most length (AnswerTIDsFrom).
func (db *DB) TIDsFrom(min, max zodb.Tid, length int, partitions []uint32) ([]zodb.Tid, error) {
	if len(partitions) == 0 || length <= 0 || min > max || min > proto.MaxTid {
		return nil, nil
	}
	return db.tids("tids from", "SELECT tid FROM trans WHERE partition IN ("+partitionList(partitions)+
		") AND +?<=tid AND tid<=+? ORDER BY tid LIMIT ?", int64(min), int64(min64(max, proto.MaxTid)), int64(length))
}

func min64(a, b zodb.Tid) zodb.Tid {
	if a < b {
		return a
	}
	return b
}

// OidsFrom returns the oids of partition, from minOid on, that exist (are
// not deleted) at tid, at most length, and the next oid to ask (NoOid when
// done) (NEO/py's oidsFrom).
func (db *DB) OidsFrom(partition uint32, length int, minOid zodb.Oid, tid zodb.Tid) (next zodb.Oid, oids []zodb.Oid, err error) {
	l := db.layout.Load()
	if length <= 0 || minOid > zodb.Oid(proto.MaxTid) {
		return proto.NoOid, nil, nil
	}
	n, last := 0, int64(0)
	err = db.read(func() string { return "oids from" }, func(r *reader) error {
		return r.each("SELECT oid, data_id FROM obj JOIN ("+
			"SELECT partition, oid, MAX(tid) AS tid FROM obj"+
			" WHERE partition=+? AND oid>=+? AND tid<=+?"+
			" GROUP BY oid ORDER BY oid LIMIT ?"+
			") AS t USING (partition, oid, tid) ORDER BY oid", 2,
			[]int64{int64(partition), int64(minOid), int64(min64(tid, proto.MaxTid)), int64(length)},
			func(v vals) error {
				n++
				last = v.int(0)
				if !v.null(1) {
					oids = append(oids, zodb.Oid(last))
				}
				return v.err
			})
	})
	if err != nil || n < length {
		return proto.NoOid, oids, err
	}
	return zodb.Oid(last) + zodb.Oid(l.np), oids, nil
}

// LastIDs returns the last tid and oid of the readable partitions and
// the first tid (NEO/py's getLastIDs and getFirstTID): NoTid/NoOid and
// MaxTid when there is nothing.
func (db *DB) LastIDs() (lastTid zodb.Tid, lastOid zodb.Oid, firstTid zodb.Tid, err error) {
	l := db.layout.Load()
	if len(l.readable) == 0 {
		return proto.NoTid, proto.NoOid, proto.MaxTid, nil
	}
	// One partition at a time, as NEO/py: each MAX/MIN is then a
	// single index lookup.
	tid, oid, first := int64(-1), int64(-1), int64(proto.MaxTid)
	err = db.read(func() string { return "last ids" }, func(r *reader) error {
		for _, p := range l.readable {
			err := r.each("SELECT"+
				" (SELECT MAX(tid) FROM obj WHERE partition=+?1),"+
				" (SELECT MAX(oid) FROM obj WHERE partition=+?1),"+
				" (SELECT MAX(tid) FROM trans WHERE partition=+?1),"+
				" (SELECT MIN(tid) FROM trans WHERE partition=+?1)", 4, []int64{int64(p)},
				func(v vals) error {
					for _, i := range []int{0, 2} {
						if !v.null(i) {
							tid = max(tid, v.int(i))
						}
					}
					if !v.null(1) {
						oid = max(oid, v.int(1))
					}
					if !v.null(3) {
						first = min(first, v.int(3))
					}
					return v.err
				})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return proto.NoTid, proto.NoOid, proto.MaxTid, err
	}
	lastTid, lastOid = proto.NoTid, proto.NoOid
	if tid >= 0 {
		lastTid = zodb.Tid(tid)
	}
	if oid >= 0 {
		lastOid = zodb.Oid(oid)
	}
	return lastTid, lastOid, zodb.Tid(first), nil
}

// FinalTID returns the tid transaction ttid was committed with, NoTid when
// it is not committed (NEO/py's getFinalTID: one index lookup in ttid's
// partition, where NEO's master puts the tid). It is not part of
// backend.Backend; a node finds it with a type assertion.
func (db *DB) FinalTID(ttid zodb.Tid) (tid zodb.Tid, err error) {
	op := func() string { return fmt.Sprintf("final tid of %s", ttid) }
	p, err := db.layout.Load().partition(uint64(ttid))
	if err != nil || ttid > proto.MaxTid {
		return proto.NoTid, err
	}
	tid = proto.NoTid
	err = db.read(op, func(r *reader) error {
		ok, err := r.one(r.st.finalTid, 1, int64(p), int64(ttid), int64(ttid))
		if ok {
			v := vals{v: r.dest[:1]}
			tid = zodb.Tid(v.int(0))
			err = v.err
		}
		return err
	})
	return tid, err
}
