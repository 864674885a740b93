package zodb

import "context"

// TxnMeta is what a committer says of its transaction.
type TxnMeta struct {
	User        []byte
	Description []byte
	// Extension is the pickle of a dict of extra metadata, or empty.
	Extension []byte
}

// Writer is a storage that takes new transactions: the write side of
// ZODB's IStorage (new_oid, tpc_begin, store, checkCurrentSerialInTransaction,
// tpc_vote, tpc_finish, tpc_abort) and of IStorageRestoreable (restore).
//
// All methods may be called from several goroutines at once. Transactions
// commit one at a time: a Txn holds the storage's commit lock from Vote
// until Finish or Abort. A transaction is visible to Load, Iterate and
// History — in this process and in others — only once Finish returned.
type Writer interface {
	Storage

	// NewOid returns an oid no object has yet. Oids grow; an oid given
	// out is not given out again even when no transaction stores it.
	NewOid(ctx context.Context) (Oid, error)

	// Begin starts a new transaction with the given metadata.
	//
	// Errors: ErrReadOnly for a storage opened read-only.
	Begin(ctx context.Context, meta TxnMeta) (Txn, error)

	// BeginRestore starts copying a transaction from another storage: its
	// tid, status and metadata are kept as given. The tid must be greater
	// than the storage's head.
	//
	// Errors: ErrReadOnly; an error wrapping ErrTidOrder for a tid not
	// after the head.
	BeginRestore(ctx context.Context, txn *TxnInfo) (RestoreTxn, error)
}

// Txn is one transaction being committed (two-phase commit).
type Txn interface {
	// Store records a new revision of oid. serial is the revision the new
	// data is based on: the serial Load returned, or 0 for a new object.
	// A conflict may be reported here or at Vote as a *ConflictError.
	Store(ctx context.Context, oid Oid, serial Tid, data []byte) error
	// Delete records that oid is deleted, based on revision serial (ZODB's
	// deleteObject).
	Delete(ctx context.Context, oid Oid, serial Tid) error
	// CheckCurrent asks Vote to fail with a *ConflictError unless serial
	// is still the current revision of oid (a read conflict check, ZODB's
	// checkCurrentSerialInTransaction).
	CheckCurrent(ctx context.Context, oid Oid, serial Tid) error
	// Vote takes the commit lock, checks every conflict and writes the
	// transaction durably, but not yet visibly. After Vote only Finish or
	// Abort may be called.
	Vote(ctx context.Context) error
	// Finish makes the voted transaction visible and returns its tid.
	Finish(ctx context.Context) (Tid, error)
	// Abort drops the transaction; it may be called at any point before
	// Finish returned successfully, and more than once.
	Abort()
}

// RestoreTxn is a transaction being copied with BeginRestore.
type RestoreTxn interface {
	// Restore records oid's record as the source storage has it: data, or
	// when data is nil and dataTid != 0 a backpointer to the revision of
	// oid written by dataTid (an undo record), or when both are zero a
	// deletion. No conflict is checked.
	Restore(ctx context.Context, oid Oid, data []byte, dataTid Tid) error
	// Vote writes the transaction durably but not yet visibly.
	Vote(ctx context.Context) error
	// Finish makes it visible.
	Finish(ctx context.Context) error
	// Abort drops it.
	Abort()
}
