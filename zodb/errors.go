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
