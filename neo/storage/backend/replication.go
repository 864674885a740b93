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
