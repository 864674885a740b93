package fsindex

import (
	"cmp"

	"modernc.org/b/v2"

	"github.com/zodbneo/zodbneo/zodb"
)

// Index maps oids to the file positions of their current data records.
//
// An Index is not safe for concurrent use when one of the users calls Set:
// callers guard it themselves (the fs1 driver holds its own lock).
type Index struct {
	// TopPos is the file position the index covers up to: every
	// transaction before it is indexed, none after it.
	TopPos int64

	tree *b.Tree[zodb.Oid, int64]
}

// New returns an empty index with TopPos 0.
func New() *Index {
	return &Index{tree: b.TreeNew[zodb.Oid, int64](cmp.Compare[zodb.Oid])}
}

// Get returns the position recorded for oid.
func (x *Index) Get(oid zodb.Oid) (pos int64, ok bool) {
	return x.tree.Get(oid)
}

// Set records pos for oid, replacing any previous position.
//
// Python keeps positions in 6 bytes: Save refuses an index holding a
// position that does not fit in 48 bits.
func (x *Index) Set(oid zodb.Oid, pos int64) {
	x.tree.Set(oid, pos)
}

// Len returns the number of oids in the index.
func (x *Index) Len() int {
	return x.tree.Len()
}

// Each calls f for every entry in ascending oid order until f returns
// false. f must not modify the index.
func (x *Index) Each(f func(oid zodb.Oid, pos int64) bool) {
	e, err := x.tree.SeekFirst()
	if err != nil {
		return // empty
	}
	defer e.Close()
	for {
		oid, pos, err := e.Next()
		if err != nil || !f(oid, pos) {
			return
		}
	}
}

// Equal reports whether x and y have the same TopPos and the same entries.
func (x *Index) Equal(y *Index) bool {
	if x.TopPos != y.TopPos || x.Len() != y.Len() {
		return false
	}
	ex, errx := x.tree.SeekFirst()
	ey, erry := y.tree.SeekFirst()
	if errx != nil || erry != nil {
		return errx != nil && erry != nil // both empty
	}
	defer ex.Close()
	defer ey.Close()
	for {
		ox, px, errx := ex.Next()
		oy, py, erry := ey.Next()
		if errx != nil || erry != nil {
			return errx != nil && erry != nil
		}
		if ox != oy || px != py {
			return false
		}
	}
}
