package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// This file was added by the storage node's author: what the node needs
// to feed replication (backend.ReplicationSource).

var _ backend.ReplicationSource = (*DB)(nil)

// ReplicationObjects lists the revisions of partition from (minTid,
// minOid) to maxTid, by serial then oid.
func (db *DB) ReplicationObjects(partition uint32, minTid, maxTid zodb.Tid, minOid zodb.Oid, length int) (refs []backend.ObjectRef, err error) {
	if length <= 0 || minTid > maxTid || minTid > proto.MaxTid {
		return nil, nil
	}
	if maxTid > proto.MaxTid {
		maxTid = proto.MaxTid
	}
	err = db.read(func() string { return "replication objects" }, func(r *reader) error {
		return r.each("SELECT tid, oid FROM obj WHERE partition=+? AND tid<=+?"+
			" AND (tid=+? AND +?<=oid OR +?<tid) ORDER BY tid, oid LIMIT ?", 2,
			[]int64{int64(partition), int64(maxTid), int64(minTid), int64(minOid), int64(minTid), int64(length)},
			func(v vals) error {
				refs = append(refs, backend.ObjectRef{Serial: zodb.Tid(v.int(0)), Oid: zodb.Oid(v.int(1))})
				return v.err
			})
	})
	return refs, err
}

var _ backend.ReplicationTarget = (*DB)(nil)

// PutTransaction writes a replicated transaction into trans.
func (db *DB) PutTransaction(tid zodb.Tid, txn *backend.Txn) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	op := fmt.Sprintf("replicate transaction %s", tid)
	if err := db.beginLocked(syncNormal); err != nil {
		return err
	}
	p, err := db.layout.Load().partition(uint64(tid))
	if err != nil {
		return db.errorf(op, err)
	}
	_, err = db.mu.w.ExecContext(context.Background(),
		"INSERT OR REPLACE INTO trans VALUES (?,?,?,?,?,?,?,?)",
		p, int64(tid), txn.Packed, EncodeOids(txn.Oids), nonNil(txn.User), nonNil(txn.Description),
		nonNil(txn.Extension), int64(txn.TTid))
	if err != nil {
		return db.errorf(op, err)
	}
	return nil
}

// PutObject writes a replicated object revision into obj (and its data).
func (db *DB) PutObject(oid zodb.Oid, serial zodb.Tid, compression byte, checksum [20]byte, data []byte, hasData bool, dataSerial zodb.Tid) error {
	op := fmt.Sprintf("replicate %s@%s", oid, serial)
	var dataID any
	var held int64 = -1
	if hasData {
		id, err := db.StoreData(checksum, compression, data, oid)
		if err != nil {
			return err
		}
		dataID, held = id, id
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if held >= 0 {
		// obj references it now.
		defer db.releaseLocked([]int64{held})
	}
	if err := db.beginLocked(syncNormal); err != nil {
		return err
	}
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return db.errorf(op, err)
	}
	var valueTid any
	if dataSerial != proto.NoTid {
		valueTid = int64(dataSerial)
		if !hasData {
			var id sql.NullInt64
			err := db.mu.ws.dataAt.QueryRow(p, int64(oid), int64(dataSerial)).Scan(&id)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return db.errorf(op, err)
			}
			if id.Valid {
				dataID = id.Int64
			}
		}
	}
	old, err := db.dataIDsLocked("SELECT data_id FROM obj WHERE partition=? AND oid=? AND tid=? AND data_id IS NOT NULL",
		p, int64(oid), int64(serial))
	if err != nil {
		return err
	}
	if _, err := db.mu.w.ExecContext(context.Background(), "INSERT OR REPLACE INTO obj VALUES (?,?,?,?,?)",
		p, int64(oid), int64(serial), dataID, valueTid); err != nil {
		return db.errorf(op, err)
	}
	return db.pruneLocked(old)
}

// DeleteTransaction removes a committed transaction.
func (db *DB) DeleteTransaction(tid zodb.Tid) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	op := fmt.Sprintf("delete transaction %s", tid)
	if err := db.beginLocked(syncNormal); err != nil {
		return err
	}
	p, err := db.layout.Load().partition(uint64(tid))
	if err != nil {
		return db.errorf(op, err)
	}
	if _, err := db.mu.w.ExecContext(context.Background(), "DELETE FROM trans WHERE partition=? AND tid=?", p, int64(tid)); err != nil {
		return db.errorf(op, err)
	}
	return nil
}

// DeleteObject removes a committed object revision (and its data if
// nothing else references it).
func (db *DB) DeleteObject(oid zodb.Oid, serial zodb.Tid) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	op := fmt.Sprintf("delete %s@%s", oid, serial)
	if err := db.beginLocked(syncNormal); err != nil {
		return err
	}
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return db.errorf(op, err)
	}
	ids, err := db.dataIDsLocked("SELECT data_id FROM obj WHERE partition=? AND oid=? AND tid=? AND data_id IS NOT NULL",
		p, int64(oid), int64(serial))
	if err != nil {
		return err
	}
	if _, err := db.mu.w.ExecContext(context.Background(), "DELETE FROM obj WHERE partition=? AND oid=? AND tid=?",
		p, int64(oid), int64(serial)); err != nil {
		return db.errorf(op, err)
	}
	return db.pruneLocked(ids)
}
