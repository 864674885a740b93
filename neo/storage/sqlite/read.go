package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// The readers below run on the pool's connections, concurrently with each
// other and with the writer; they see what was committed (Unlock commits,
// so a transaction is visible as soon as it is unlocked).

// Object returns a committed revision of oid: the current one when at and
// before are NoTid, the one with serial at, or the last one strictly
// before before. Errors: backend.ErrOidDoesNotExist when oid has no
// revision (or, with at/before, none at all), backend.ErrOidNotFound when
// it has revisions but not the one asked (NEO/py's getObject None/False).
func (db *DB) Object(oid zodb.Oid, at, before zodb.Tid) (o *backend.Object, err error) {
	l := db.layout.Load()
	p, err := l.partition(uint64(oid))
	if err != nil {
		return nil, db.errorf(fmt.Sprintf("load %s", oid), err)
	}
	r, err := db.getReader()
	if err != nil {
		return nil, err
	}
	defer func() { db.putReader(r, err) }()
	var row *sql.Row
	switch {
	case at != proto.NoTid:
		row = r.st.objAt.QueryRow(p, int64(oid), sqlTid(at))
	case before != proto.NoTid && before <= proto.MaxTid:
		row = r.st.objBefore.QueryRow(p, int64(oid), int64(before))
	default:
		row = r.st.objCurrent.QueryRow(p, int64(oid))
	}
	var (
		serial            int64
		compression       sql.NullInt64
		hash, data        []byte
		valueTid, nextTid sql.NullInt64
	)
	err = row.Scan(&serial, &compression, &hash, &data, &valueTid, &nextTid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.objectMissing(r, oid, p, at != proto.NoTid || before != proto.NoTid)
	}
	if err != nil {
		return nil, db.errorf(fmt.Sprintf("load %s", oid), err)
	}
	o = &backend.Object{
		Oid:        oid,
		Serial:     zodb.Tid(serial),
		NextSerial: nullTid(nextTid),
		Data:       data,
		DataSerial: nullTid(valueTid),
	}
	if hash != nil {
		if len(hash) != len(o.Checksum) || compression.Int64 < 0 || compression.Int64 > 255 {
			return nil, db.errorf(fmt.Sprintf("load %s@%s", oid, o.Serial),
				fmt.Errorf("%w: data row with a %d-byte hash, compression %d", zodb.ErrCorrupt, len(hash), compression.Int64))
		}
		copy(o.Checksum[:], hash)
		o.Compression = byte(compression.Int64)
	}
	return o, nil
}

// objectMissing tells OID_NOT_FOUND from OID_DOES_NOT_EXIST: with a tid
// asked, an object that has other revisions is "not found".
func (db *DB) objectMissing(r *reader, oid zodb.Oid, p uint32, exact bool) error {
	if exact {
		var tid int64
		err := r.st.lastObjectTid.QueryRow(p, int64(oid)).Scan(&tid)
		if err == nil {
			return backend.ErrOidNotFound
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return db.errorf(fmt.Sprintf("load %s", oid), err)
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

func nullTid(n sql.NullInt64) zodb.Tid {
	if !n.Valid {
		return proto.NoTid
	}
	return zodb.Tid(n.Int64)
}

// LastObjectTid is the serial of oid's last committed revision (NoTid
// when none).
func (db *DB) LastObjectTid(oid zodb.Oid) (_ zodb.Tid, err error) {
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return proto.NoTid, db.errorf(fmt.Sprintf("last serial of %s", oid), err)
	}
	r, err := db.getReader()
	if err != nil {
		return proto.NoTid, err
	}
	defer func() { db.putReader(r, err) }()
	var tid int64
	err = r.st.lastObjectTid.QueryRow(p, int64(oid)).Scan(&tid)
	if errors.Is(err, sql.ErrNoRows) {
		return proto.NoTid, nil
	}
	if err != nil {
		return proto.NoTid, db.errorf(fmt.Sprintf("last serial of %s", oid), err)
	}
	return zodb.Tid(tid), nil
}

// Transaction returns committed transaction tid, or with temporary a
// locked one (ttrans with tid set). Error: backend.ErrTidNotFound.
func (db *DB) Transaction(tid zodb.Tid, temporary bool) (t *backend.Txn, err error) {
	p, err := db.layout.Load().partition(uint64(tid))
	if err != nil {
		return nil, db.errorf(fmt.Sprintf("transaction %s", tid), err)
	}
	r, err := db.getReader()
	if err != nil {
		return nil, err
	}
	defer func() { db.putReader(r, err) }()
	t, err = db.scanTxn(r.st.trans.QueryRow(p, sqlTid(tid)), tid)
	if errors.Is(err, sql.ErrNoRows) && temporary {
		t, err = db.scanTxn(r.st.ttrans.QueryRow(sqlTid(tid)), tid)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, backend.ErrTidNotFound
	}
	return t, err
}

func (db *DB) scanTxn(row *sql.Row, tid zodb.Tid) (*backend.Txn, error) {
	t := &backend.Txn{Tid: tid}
	var oids []byte
	var packed bool
	var ttid int64
	if err := row.Scan(&oids, &t.User, &t.Description, &t.Extension, &packed, &ttid); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, db.errorf(fmt.Sprintf("transaction %s", tid), err)
	}
	var err error
	if t.Oids, err = DecodeOids(oids); err != nil {
		return nil, db.errorf(fmt.Sprintf("transaction %s", tid), err)
	}
	t.Packed = packed
	t.TTid = zodb.Tid(ttid)
	return t, nil
}

// History returns oid's revisions, newest first, skipping offset, at most
// length, with the size of their data (0 for a deletion).
func (db *DB) History(oid zodb.Oid, offset, length int) (_ []proto.HistoryEntry, err error) {
	if length <= 0 { // SQLite's LIMIT takes a negative length as no limit
		return nil, nil
	}
	offset = max(offset, 0)
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return nil, db.errorf(fmt.Sprintf("history of %s", oid), err)
	}
	r, err := db.getReader()
	if err != nil {
		return nil, err
	}
	defer func() { db.putReader(r, err) }()
	rows, err := r.st.history.Query(p, int64(oid), offset, length)
	if err != nil {
		return nil, db.errorf(fmt.Sprintf("history of %s", oid), err)
	}
	defer rows.Close()
	var h []proto.HistoryEntry
	for rows.Next() {
		var tid int64
		var size sql.NullInt64
		if err := rows.Scan(&tid, &size); err != nil {
			return nil, db.errorf(fmt.Sprintf("history of %s", oid), err)
		}
		h = append(h, proto.HistoryEntry{Serial: zodb.Tid(tid), Size: size.Int64})
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf(fmt.Sprintf("history of %s", oid), err)
	}
	return h, nil
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
func (db *DB) tids(op, q string, args ...any) (_ []zodb.Tid, err error) {
	r, err := db.getReader()
	if err != nil {
		return nil, err
	}
	defer func() { db.putReader(r, err) }()
	rows, err := r.conn.QueryContext(context.Background(), q, args...)
	if err != nil {
		return nil, db.errorf(op, err)
	}
	defer rows.Close()
	var tids []zodb.Tid
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return nil, db.errorf(op, err)
		}
		tids = append(tids, zodb.Tid(t))
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf(op, err)
	}
	return tids, nil
}

// TIDList returns committed tids of the given partitions, newest first,
// skipping offset, at most length (AnswerTIDs).
func (db *DB) TIDList(offset, length int, partitions []uint32) ([]zodb.Tid, error) {
	if len(partitions) == 0 || length <= 0 {
		return nil, nil
	}
	offset = max(offset, 0)
	return db.tids("tid list", "SELECT tid FROM trans WHERE partition IN ("+partitionList(partitions)+
		") ORDER BY tid DESC LIMIT ?,?", offset, length)
}

// TIDsFrom returns committed tids in [min, max] of the given partitions,
// oldest first, at most length (AnswerTIDsFrom).
func (db *DB) TIDsFrom(min, max zodb.Tid, length int, partitions []uint32) ([]zodb.Tid, error) {
	if len(partitions) == 0 || length <= 0 || min > max || min > proto.MaxTid {
		return nil, nil
	}
	return db.tids("tids from", "SELECT tid FROM trans WHERE partition IN ("+partitionList(partitions)+
		") AND ?<=tid AND tid<=? ORDER BY tid LIMIT ?", int64(min), int64(min64(max, proto.MaxTid)), length)
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
func (db *DB) OidsFrom(partition uint32, length int, minOid zodb.Oid, tid zodb.Tid) (_ zodb.Oid, _ []zodb.Oid, err error) {
	l := db.layout.Load()
	if length <= 0 || minOid > zodb.Oid(proto.MaxTid) {
		return proto.NoOid, nil, nil
	}
	r, err := db.getReader()
	if err != nil {
		return proto.NoOid, nil, err
	}
	defer func() { db.putReader(r, err) }()
	rows, err := r.conn.QueryContext(context.Background(), "SELECT oid, data_id FROM obj JOIN ("+
		"SELECT partition, oid, MAX(tid) AS tid FROM obj"+
		" WHERE partition=? AND oid>=? AND tid<=?"+
		" GROUP BY oid ORDER BY oid LIMIT ?"+
		") AS t USING (partition, oid, tid) ORDER BY oid",
		partition, int64(minOid), int64(min64(tid, proto.MaxTid)), length)
	if err != nil {
		return proto.NoOid, nil, db.errorf("oids from", err)
	}
	defer rows.Close()
	var oids []zodb.Oid
	n := 0
	var last int64
	for rows.Next() {
		var dataID sql.NullInt64
		if err := rows.Scan(&last, &dataID); err != nil {
			return proto.NoOid, nil, db.errorf("oids from", err)
		}
		n++
		if dataID.Valid {
			oids = append(oids, zodb.Oid(last))
		}
	}
	if err := rows.Err(); err != nil {
		return proto.NoOid, nil, db.errorf("oids from", err)
	}
	if n < length {
		return proto.NoOid, oids, nil
	}
	return zodb.Oid(last) + zodb.Oid(l.np), oids, nil
}

// LastIDs returns the last tid and oid of the readable partitions and
// the first tid (NEO/py's getLastIDs and getFirstTID): NoTid/NoOid and
// MaxTid when there is nothing.
func (db *DB) LastIDs() (lastTid zodb.Tid, lastOid zodb.Oid, firstTid zodb.Tid, err error) {
	l := db.layout.Load()
	lastTid, lastOid, firstTid = proto.NoTid, proto.NoOid, proto.MaxTid
	if len(l.readable) == 0 {
		return
	}
	r, err := db.getReader()
	if err != nil {
		return
	}
	defer func() { db.putReader(r, err) }()
	// One partition at a time, as NEO/py: each MAX/MIN is then a
	// single index lookup.
	tid, oid, first := int64(-1), int64(-1), int64(proto.MaxTid)
	for _, p := range l.readable {
		var t, o, tt int64
		var f sql.NullInt64
		err = r.conn.QueryRowContext(context.Background(), "SELECT"+
			" COALESCE((SELECT MAX(tid) FROM obj WHERE partition=?), -1),"+
			" COALESCE((SELECT MAX(oid) FROM obj WHERE partition=?), -1),"+
			" COALESCE((SELECT MAX(tid) FROM trans WHERE partition=?), -1),"+
			" (SELECT MIN(tid) FROM trans WHERE partition=?)", p, p, p, p).Scan(&t, &o, &tt, &f)
		if err != nil {
			return proto.NoTid, proto.NoOid, proto.MaxTid, db.errorf("last ids", err)
		}
		tid, oid = max(tid, t, tt), max(oid, o)
		if f.Valid {
			first = min(first, f.Int64)
		}
	}
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
func (db *DB) FinalTID(ttid zodb.Tid) (_ zodb.Tid, err error) {
	p, err := db.layout.Load().partition(uint64(ttid))
	if err != nil || ttid > proto.MaxTid {
		return proto.NoTid, err
	}
	r, err := db.getReader()
	if err != nil {
		return proto.NoTid, err
	}
	defer func() { db.putReader(r, err) }()
	var tid int64
	err = r.st.finalTid.QueryRow(p, int64(ttid), int64(ttid)).Scan(&tid)
	if errors.Is(err, sql.ErrNoRows) {
		return proto.NoTid, nil
	}
	if err != nil {
		return proto.NoTid, db.errorf(fmt.Sprintf("final tid of %s", ttid), err)
	}
	return zodb.Tid(tid), nil
}
