package fs1tools

import (
	"bufio"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// entry is one oid → position of an index.
type entry struct {
	oid zodb.Oid
	pos int64
}

// writeIndexDiff writes to w the differences between the saved index and
// the one built from the data file (see VerifyIndex) and returns how many
// there are.
func writeIndexDiff(w io.Writer, saved, built *fsindex.Index) (int, error) {
	bw := bufio.NewWriter(w)
	n := 0
	if saved.TopPos != built.TopPos {
		fmt.Fprintf(bw, "pos: index %d, data file %d\n", saved.TopPos, built.TopPos)
		n++
	}
	// Walk both indexes in oid order, as a merge.
	a, b := entries(saved), entries(built)
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || (len(a) > 0 && a[0].oid < b[0].oid):
			fmt.Fprintf(bw, "oid %s: index %d, not in data file\n", a[0].oid, a[0].pos)
			a = a[1:]
		case len(a) == 0 || b[0].oid < a[0].oid:
			fmt.Fprintf(bw, "oid %s: not in index, data file %d\n", b[0].oid, b[0].pos)
			b = b[1:]
		default:
			if a[0].pos != b[0].pos {
				fmt.Fprintf(bw, "oid %s: index %d, data file %d\n", a[0].oid, a[0].pos, b[0].pos)
			} else {
				n--
			}
			a, b = a[1:], b[1:]
		}
		n++
	}
	return n, bw.Flush()
}

func entries(x *fsindex.Index) []entry {
	e := make([]entry, 0, x.Len())
	x.Each(func(oid zodb.Oid, pos int64) bool {
		e = append(e, entry{oid, pos})
		return true
	})
	return e
}
