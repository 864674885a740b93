package zodb

import (
	"context"
	"io"
)

// TxnStatus is the status byte of a transaction record, as FileStorage
// writes it.
type TxnStatus byte

const (
	TxnComplete   TxnStatus = ' ' // committed
	TxnPacked     TxnStatus = 'p' // committed, then touched by pack
	TxnInprogress TxnStatus = 'c' // checkpoint: being committed
	TxnUndone     TxnStatus = 'u' // undone (old FileStorage undo)
)

// TxnInfo is the metadata of one committed transaction.
type TxnInfo struct {
	Tid    Tid
	Status TxnStatus
	// User, Description and Extension are the raw bytes stored: Extension
	// is the pickle of a dict, or empty for an empty dict.
	User        []byte
	Description []byte
	Extension   []byte
}

// DataInfo is one object record of a transaction, as iteration yields it.
type DataInfo struct {
	Oid Oid
	Tid Tid // the transaction that wrote this record
	// Data is the record's pickle (class pickle then state pickle). For an
	// undo record it is the data at the end of the backpointer chain. It is
	// nil when the object was deleted by this record.
	Data []byte
	// DataTid is the transaction whose record this one points back to (one
	// hop, as ZODB's iterators report it), or 0 when the record holds its
	// own data or a deletion.
	DataTid Tid
}

// RevInfo is one revision of an object, as History returns it.
type RevInfo struct {
	Tid  Tid
	Size int // length of the revision's data; 0 for a deletion
	// Txn metadata of the transaction that wrote the revision.
	User        []byte
	Description []byte
}

// Loader loads object revisions.
type Loader interface {
	// Load returns the data of the revision of xid.Oid that was current at
	// transaction xid.At, and the tid that wrote it (its serial).
	//
	// The returned data belongs to the caller.
	//
	// Errors: *NoObjectError when the object never existed up to xid.At,
	// *NoDataError when it was deleted at or before xid.At, errors wrapping
	// ErrCorrupt for damaged storage. Errors are wrapped in *OpError.
	//
	// Load may be called from several goroutines at once.
	Load(ctx context.Context, xid Xid) (data []byte, serial Tid, err error)
}

// Iterator goes over committed transactions in tid order.
type Iterator interface {
	// NextTxn moves to the next transaction and returns its metadata and an
	// iterator over its object records, which is valid until the next call
	// to NextTxn. At the end it returns io.EOF.
	//
	// An Iterator is used by one goroutine at a time.
	NextTxn(ctx context.Context) (*TxnInfo, DataIterator, error)
}

// DataIterator goes over the object records of one transaction, in the
// order they were stored.
type DataIterator interface {
	// NextData returns the next record or io.EOF after the last one. The
	// returned *DataInfo and its Data are valid until the next call.
	NextData(ctx context.Context) (*DataInfo, error)
}

// Storage is what every storage driver offers for reading.
//
// All methods may be called from several goroutines at once, except that an
// Iterator is used by one goroutine at a time.
type Storage interface {
	Loader
	io.Closer

	// URL returns the URL the storage was opened with.
	URL() string
	// Name returns the storage's name, as ZODB's getName() does (for
	// FileStorage: the path of its file).
	Name() string
	// Size returns the storage's size in bytes as ZODB's getSize() does.
	Size() int64

	// Head returns the tid of the last committed transaction as the
	// storage last saw it (ZODB's lastTransaction), 0 for an empty one.
	Head() Tid
	// Sync brings the storage up to date with what other processes
	// committed and returns the new head.
	Sync(ctx context.Context) (head Tid, err error)

	// Iterate returns an iterator over committed transactions with
	// tidMin <= tid <= tidMax.
	Iterate(ctx context.Context, tidMin, tidMax Tid) Iterator

	// History returns up to size revisions of oid, newest first, starting
	// at the revision current at `at`. *NoObjectError if oid never existed
	// up to at.
	History(ctx context.Context, oid Oid, at Tid, size int) ([]RevInfo, error)
}

// Options say how to open a storage.
type Options struct {
	// ReadOnly opens the storage for reading only: nothing is written,
	// not even a rebuilt index.
	ReadOnly bool
}
