package zodb

import (
	"errors"
	"fmt"
)

// ErrCorrupt marks data that cannot be what a storage wrote: callers test
// for it with errors.Is(err, zodb.ErrCorrupt).
var ErrCorrupt = errors.New("corrupt data")

// ErrReadOnly is returned by a write to a storage opened read-only.
var ErrReadOnly = errors.New("storage is read-only")

// NoObjectError says that an object does not exist (at the asked state).
type NoObjectError struct {
	Oid Oid
}

func (e *NoObjectError) Error() string {
	return fmt.Sprintf("%s: no such object", e.Oid)
}

// NoDataError says that an object exists but has no data at the asked
// state: it was deleted (DeletedAt != 0), or it was created only after the
// state (DeletedAt == 0).
type NoDataError struct {
	Oid       Oid
	DeletedAt Tid
}

func (e *NoDataError) Error() string {
	if e.DeletedAt == 0 {
		return fmt.Sprintf("%s: object was not yet created", e.Oid)
	}
	return fmt.Sprintf("%s: object was deleted @%s", e.Oid, e.DeletedAt)
}

// OpError is the error of an operation on a storage: which storage, which
// operation with which arguments, and why it failed.
type OpError struct {
	URL  string
	Op   string
	Args any
	Err  error
}

func (e *OpError) Error() string {
	s := e.URL + ": " + e.Op
	if e.Args != nil {
		s += fmt.Sprintf(" %v", e.Args)
	}
	return s + ": " + e.Err.Error()
}

func (e *OpError) Unwrap() error { return e.Err }

// IsNoData reports whether err says the object has no data at the asked
// state: it does not exist, was deleted, or was not yet created.
func IsNoData(err error) bool {
	var ne *NoObjectError
	var nd *NoDataError
	return errors.As(err, &ne) || errors.As(err, &nd)
}

// ErrTidOrder says that a transaction's tid is not after the storage's
// head, as every new transaction's must be.
var ErrTidOrder = errors.New("transaction tid is not after the head")

// ConflictError says that a transaction could not commit because another
// one changed an object it changed or read: ZODB's ConflictError and
// ReadConflictError.
type ConflictError struct {
	Oid Oid
	// Committed is the object's current revision, Based the revision the
	// transaction's change was based on.
	Committed Tid
	Based     Tid
	// Read is true for a read conflict (CheckCurrent), false for a write
	// conflict (Store, Delete).
	Read bool
}

func (e *ConflictError) Error() string {
	kind := "write"
	if e.Read {
		kind = "read"
	}
	return fmt.Sprintf("%s conflict on %s: committed revision %s, transaction based on %s",
		kind, e.Oid, e.Committed, e.Based)
}
