package objgraph

import (
	"errors"
	"fmt"

	"github.com/zodbneo/zodbneo/zodb"
)

// Sentinels that an *Error wraps, for a caller to branch on with errors.Is.
// A FUSE layer maps ErrMissing and ErrNotFound to ENOENT and ErrBroken to
// EIO; any other error (the storage failed, the context ended) is EIO too.
var (
	// ErrMissing: the object has no data at the graph's state — a
	// dangling reference, an object deleted (deleteObject, an undone
	// creation) or not yet created. The storage's own error
	// (*zodb.NoObjectError, *zodb.NoDataError) is wrapped too.
	ErrMissing = errors.New("object missing")

	// ErrBroken: the object's record, or the structure it belongs to,
	// cannot be decoded — a corrupt pickle, a BTree whose state or bucket
	// chain is not what BTrees writes. zodb.ErrCorrupt is usually wrapped
	// too.
	ErrBroken = errors.New("object undecodable")

	// ErrNotFound: a directory has no entry of the name looked up.
	ErrNotFound = errors.New("no such entry")

	// ErrNotDir: a path goes on below a leaf (ENOTDIR).
	ErrNotDir = errors.New("not a directory")
)

// Error is the error of viewing one object of the graph: loading it,
// listing it, looking a name up in it or in a value nested in its state.
type Error struct {
	Oid zodb.Oid
	At  zodb.Tid
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("objgraph: %s@%s: %s", e.Oid, e.At, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// missing wraps a Load error that says the object has no data.
func missing(err error) error { return fmt.Errorf("%w: %w", ErrMissing, err) }

// broken marks err as a decoding failure.
func broken(err error) error {
	if errors.Is(err, ErrBroken) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrBroken, err)
}

// brokenf is broken of a new error.
func brokenf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrBroken, fmt.Errorf(format, args...))
}
