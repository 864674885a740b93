// Package backend is the contract between a NEO storage node (neo/storage)
// and its database (neo/storage/sqlite, later the importer): NEO/py's
// DatabaseManager (neo/storage/database/manager.py) reduced to what the
// node asks, with typed values instead of rows.
//
// Tids and oids are zodb.Tid/zodb.Oid (stored as signed 64-bit integers
// by SQL backends, as NEO/py does); a missing tid or oid is proto.NoTid /
// proto.NoOid, as on the wire.
package backend

import (
	"errors"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// ZeroHash is the checksum of "no data" (a deletion, or a revision whose
// data is another's: data_serial).
var ZeroHash [20]byte

// Errors of Object, matching NEO/py's answers to AskObject.
var (
	// ErrOidDoesNotExist: the object has no revision at all, or none
	// before the tid asked (OID_DOES_NOT_EXIST).
	ErrOidDoesNotExist = errors.New("oid does not exist")
	// ErrOidNotFound: the object exists but not the revision asked, e.g.
	// at=serial that is not one of its revisions (OID_NOT_FOUND).
	ErrOidNotFound = errors.New("oid not found")
	// ErrTidNotFound: no such transaction (TID_NOT_FOUND).
	ErrTidNotFound = errors.New("tid not found")
)

// Object is one object revision as NEO stores and sends it (AnswerObject).
type Object struct {
	Oid         zodb.Oid
	Serial      zodb.Tid // the revision's tid
	NextSerial  zodb.Tid // the next revision's tid; proto.NoTid when current
	Compression byte     // 0 raw, 1 zlib
	Checksum    [20]byte // SHA-1 of Data; ZeroHash with no data
	Data        []byte   // as stored (compressed when Compression is 1); empty for a deletion
	DataSerial  zodb.Tid // the revision whose data this is (undo); proto.NoTid otherwise
}

// Txn is a transaction's metadata (trans / ttrans rows).
type Txn struct {
	Tid         zodb.Tid // proto.NoTid in ttrans before the lock
	TTid        zodb.Tid
	User        []byte
	Description []byte
	Extension   []byte // pickled extension dict, or empty, as the client sent it
	Packed      bool
	Oids        []zodb.Oid // the objects it wrote (trans.oids)
}

// TempObject is one object stored by a transaction being committed (a
// tobj row).
type TempObject struct {
	Oid      zodb.Oid
	DataID   int64    // from StoreData; NoData for a deletion or data_serial
	ValueTid zodb.Tid // data_serial (undo backpointer); proto.NoTid otherwise
}

// NoData is the DataID of a revision without data (SQL NULL).
const NoData int64 = -1

// Cell is one row of the pt table: a cell of the whole partition table.
type Cell struct {
	Partition uint32
	NID       proto.NID
	State     proto.CellState
	// Tid is, for an OUT_OF_DATE cell of this node, the last tid
	// replicated so far (0 when none).
	Tid zodb.Tid
}

// PartitionTable is the table a storage keeps: ptid, replicas, and every
// cell of every node. NumPartitions is config's "partitions" (0 before a
// table was ever stored).
type PartitionTable struct {
	PTid          proto.PTid
	NumReplicas   uint32
	NumPartitions uint32
	Cells         []Cell
}

// Backend is a storage node's database. Calls come from one goroutine at
// a time unless said otherwise: the node serialises writers; readers
// (Object, Transaction, History, TIDList, TIDsFrom, OidsFrom, LastIDs)
// may run concurrently with each other and with writers.
type Backend interface {
	// Config reads config's key ("" and false when absent).
	Config(key string) (string, bool, error)
	// SetConfig writes config's key; a nil value deletes it.
	SetConfig(key string, value *string) error

	// Name, NID and the partition table are what NEO/py's config and pt
	// tables hold: cluster name ("" when unset), the node's NID
	// (proto.NoNID when unset).
	Name() (string, error)
	SetName(name string) error
	NID() (proto.NID, error)
	SetNID(nid proto.NID) error
	PartitionTable() (*PartitionTable, error)
	// SetPartitionTable replaces the whole table (reset=True in NEO/py's
	// changePartitionTable); data of partitions this node (self) no
	// longer has is dropped.
	SetPartitionTable(pt *PartitionTable, self proto.NID) error
	// ChangePartitionTable applies NotifyPartitionChanges.
	ChangePartitionTable(ptid proto.PTid, nr uint32, changes []proto.CellChange, self proto.NID) error

	// LastIDs returns the last committed (or locked) tid, the last oid
	// stored and the first tid (NEO's AnswerLastIDs; NoTid/NoOid on an
	// empty database and proto.MaxTid as first tid).
	LastIDs() (lastTid zodb.Tid, lastOid zodb.Oid, firstTid zodb.Tid, err error)

	// Object returns a committed revision of oid: the current one when at
	// and before are NoTid, the one with serial at, or the last one
	// strictly before before.
	Object(oid zodb.Oid, at, before zodb.Tid) (*Object, error)
	// LastObjectTid is the serial of oid's last committed revision
	// (NoTid when none): the base for conflict detection.
	LastObjectTid(oid zodb.Oid) (zodb.Tid, error)
	// Transaction returns committed transaction tid; with temporary it
	// also looks at locked transactions (ttrans with tid set).
	Transaction(tid zodb.Tid, temporary bool) (*Txn, error)
	// History returns oid's revisions, newest first, skipping offset,
	// at most length (AnswerObjectHistory).
	History(oid zodb.Oid, offset, length int) ([]proto.HistoryEntry, error)
	// TIDList returns committed tids of the given partitions, newest
	// first, skipping offset, at most length (AnswerTIDs).
	TIDList(offset, length int, partitions []uint32) ([]zodb.Tid, error)
	// TIDsFrom returns committed tids in [min, max] of the given
	// partitions, oldest first, at most length (AnswerTIDsFrom).
	TIDsFrom(min, max zodb.Tid, length int, partitions []uint32) ([]zodb.Tid, error)
	// OidsFrom returns oids of partition, from minOid on, that exist at
	// tid, at most length, and the next oid to ask (NoOid when done)
	// (AnswerOIDsFrom).
	OidsFrom(partition uint32, length int, minOid zodb.Oid, tid zodb.Tid) (next zodb.Oid, oids []zodb.Oid, err error)

	// StoreData stores a record's data and returns its id. With dedup an
	// identical (checksum, compression) returns the existing id. oid
	// gives the partition in the id's top 16 bits, as NEO/py.
	StoreData(checksum [20]byte, compression byte, data []byte, oid zodb.Oid) (int64, error)
	// StoreTransaction writes the objects (tobj) and, when txn is not
	// nil, the metadata (ttrans) of transaction ttid.
	StoreTransaction(ttid zodb.Tid, objs []TempObject, txn *Txn) error
	// LockTransaction gives ttid its final tid and makes that durable:
	// after it returns, the transaction survives a crash.
	LockTransaction(tid, ttid zodb.Tid) error
	// UnlockTransaction moves ttid's rows into trans and obj under tid.
	UnlockTransaction(tid, ttid zodb.Tid) error
	// AbortTransaction drops ttid's temporary rows and unreferenced data.
	AbortTransaction(ttid zodb.Tid) error
	// LockedTransactions returns the transactions locked but not
	// unlocked: ttid -> tid (AnswerLockedTransactions).
	LockedTransactions() (map[zodb.Tid]zodb.Tid, error)
	// DropUnfinished drops every temporary row of transactions not locked
	// (at startup and when the master aborts them).
	DropUnfinished() error

	// Commit makes previous writes durable (NEO/py's commit()).
	Commit() error
	// Close closes the database.
	Close() error
}
