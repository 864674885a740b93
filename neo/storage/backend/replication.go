package backend

import "github.com/zodbneo/zodbneo/zodb"

// ObjectRef names one object revision.
type ObjectRef struct {
	Serial zodb.Tid
	Oid    zodb.Oid
}

// ReplicationSource is what a backend may offer, beside Backend, for the
// node to feed other storages replicating a partition from it
// (AskFetchObjects). It follows Backend's concurrency rules for readers.
type ReplicationSource interface {
	// ReplicationObjects returns the committed revisions of partition's
	// objects with serial in [minTid, maxTid] and (serial, oid) >=
	// (minTid, minOid), ordered by serial then oid, at most length
	// (NEO/py's getReplicationObjectList).
	ReplicationObjects(partition uint32, minTid, maxTid zodb.Tid, minOid zodb.Oid, length int) ([]ObjectRef, error)
}

// ReplicationTarget is what a backend may offer, beside Backend, for the
// node to replicate partitions into it from another storage: committed
// rows written as received, and rows the source does not have deleted
// (NEO/py's storeTransaction(temporary=False), deleteTransaction,
// deleteObject). Writes become durable at the next Commit.
type ReplicationTarget interface {
	ReplicationSource
	// PutTransaction writes committed transaction tid (txn.Tid is
	// ignored), replacing a row of the same tid.
	PutTransaction(tid zodb.Tid, txn *Txn) error
	// PutObject writes committed revision serial of oid: its data
	// (hasData false: none, a deletion or, with dataSerial, the data of
	// that revision of oid) and its undo backpointer dataSerial (NoTid
	// when none); a row of the same (oid, serial) is replaced.
	PutObject(oid zodb.Oid, serial zodb.Tid, compression byte, checksum [20]byte, data []byte, hasData bool, dataSerial zodb.Tid) error
	// DeleteTransaction and DeleteObject remove committed rows.
	DeleteTransaction(tid zodb.Tid) error
	DeleteObject(oid zodb.Oid, serial zodb.Tid) error
}
