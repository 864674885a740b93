package sqlite

import (
	"context"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// This file was added by the storage node's author: what the node needs
// to feed replication (backend.ReplicationSource).

var _ backend.ReplicationSource = (*DB)(nil)

// ReplicationObjects lists the revisions of partition from (minTid,
// minOid) to maxTid, by serial then oid.
func (db *DB) ReplicationObjects(partition uint32, minTid, maxTid zodb.Tid, minOid zodb.Oid, length int) (_ []backend.ObjectRef, err error) {
	if length <= 0 || minTid > maxTid || minTid > proto.MaxTid {
		return nil, nil
	}
	if maxTid > proto.MaxTid {
		maxTid = proto.MaxTid
	}
	r, err := db.getReader()
	if err != nil {
		return nil, err
	}
	defer func() { db.putReader(r, err) }()
	const op = "replication objects"
	rows, err := r.conn.QueryContext(context.Background(),
		"SELECT tid, oid FROM obj WHERE partition=? AND tid<=?"+
			" AND (tid=? AND ?<=oid OR ?<tid) ORDER BY tid, oid LIMIT ?",
		partition, int64(maxTid), int64(minTid), int64(minOid), int64(minTid), length)
	if err != nil {
		return nil, db.errorf(op, err)
	}
	defer rows.Close()
	var refs []backend.ObjectRef
	for rows.Next() {
		var tid, oid int64
		if err := rows.Scan(&tid, &oid); err != nil {
			return nil, db.errorf(op, err)
		}
		refs = append(refs, backend.ObjectRef{Serial: zodb.Tid(tid), Oid: zodb.Oid(oid)})
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf(op, err)
	}
	return refs, nil
}
