package objgraph

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/zodbneo/zodbneo/zodb"
)

// Sentinels that an *Error wraps, for a caller to branch on with errors.Is.
// A FUSE layer maps ErrMissing and ErrNotFound to ENOENT (both are also
// fs.ErrNotExist) and ErrBroken to EIO; any other error (the storage
// failed, the context ended) is EIO too. An error may wrap both ErrBroken
// and ErrMissing (a BTree one of whose buckets is missing): ErrBroken is
// tested first.
var (
	// ErrMissing: the object has no data at the graph's state — a
	// dangling reference, an object deleted (deleteObject, an undone
	// creation) or not yet created. The storage's own error
	// (*zodb.NoObjectError, *zodb.NoDataError) is wrapped too.
	ErrMissing error = notExist("object missing")

	// ErrBroken: the object's record, or the structure it belongs to,
	// cannot be decoded — a corrupt pickle, a BTree whose state or bucket
	// chain is not what BTrees writes. It is also zodb.ErrCorrupt.
	ErrBroken error = corrupt("object undecodable")

	// ErrNotFound: a directory has no entry of the name looked up.
	ErrNotFound error = notExist("no such entry")

	// ErrNotDir: a path goes on below a leaf (ENOTDIR).
	ErrNotDir = errors.New("not a directory")
)

// notExist is a sentinel that is also fs.ErrNotExist, which a caller may
// test for instead.
type notExist string

func (e notExist) Error() string { return string(e) }

func (e notExist) Is(target error) bool { return target == fs.ErrNotExist }

// corrupt is a sentinel that is also zodb.ErrCorrupt.
type corrupt string

func (e corrupt) Error() string { return string(e) }

func (e corrupt) Is(target error) bool { return target == zodb.ErrCorrupt }

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
