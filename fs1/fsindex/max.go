package fsindex

import "github.com/zodbneo/zodbneo/zodb"

// MaxOid returns the greatest oid in the index, and false when the index
// is empty: Python's fsIndex.maxKey, from which FileStorage's new_oid
// counts after an open.
func (x *Index) MaxOid() (zodb.Oid, bool) {
	if x.tree.Len() == 0 {
		return 0, false
	}
	oid, _ := x.tree.Last()
	return oid, true
}
