package fs1

import (
	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// sanityRecords is how many data records Python's _check_sanity compares
// with a saved index before trusting it.
const sanityRecords = 5

// minIndexPos: Python ignores a saved index whose position is under 100
// bytes (it would cover at most a transaction or two anyway).
const minIndexPos = 100

// loadIndex returns the saved index at path if it may be trusted for f,
// and the tid of the last transaction it covers; else nil. It mirrors
// Python's _restore_index: an index that does not load, or fails
// checkIndex, is ignored and the caller rebuilds it.
func (f *File) loadIndex(path string) (*fsindex.Index, zodb.Tid) {
	idx, err := fsindex.LoadFile(path)
	if err != nil {
		return nil, 0
	}
	last, ok := f.checkIndex(idx)
	if !ok {
		return nil, 0
	}
	return idx, last
}

// checkIndex is Python's _check_sanity: the index's position must lie in
// the file at a transaction end, and the last transaction before it with
// data records (walking back over undone and empty ones) must have its
// first records (up to 5) where the index says. It returns the tid of the
// transaction ending at the index's position.
func (f *File) checkIndex(idx *fsindex.Index) (zodb.Tid, bool) {
	pos := idx.TopPos
	if pos < minIndexPos || pos > f.Size() {
		return 0, false
	}
	var last zodb.Tid
	for {
		h, err := f.ReadTxnHeaderBefore(pos)
		if err != nil {
			return 0, false
		}
		if last == 0 {
			last = h.Tid
		}
		pos = h.Pos
		switch h.Status {
		case zodb.TxnUndone:
			continue
		case zodb.TxnComplete, zodb.TxnPacked:
		default:
			return 0, false
		}
		if h.DataPos() == h.DataEnd() {
			continue // empty transaction
		}
		return last, f.checkIndexTxn(idx, h)
	}
}

// checkIndexTxn compares the first data records of h with idx.
func (f *File) checkIndexTxn(idx *fsindex.Index, h *TxnHeader) bool {
	pos := h.DataPos()
	for n := 0; pos < h.DataEnd() && n < sanityRecords; n++ {
		d, err := f.ReadDataHeader(pos)
		if err != nil || d.End() > h.DataEnd() || d.TxnPos != h.Pos {
			return false
		}
		if ipos, ok := idx.Get(d.Oid); !ok || ipos != pos {
			return false
		}
		pos = d.End()
	}
	return true
}
