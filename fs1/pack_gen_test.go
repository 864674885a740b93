package fs1

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// packRecord returns an object record as ZODB writes one (pickle protocol
// 3): a class pickle, then a state pickle, here a list holding a reference
// (a bare oid, as ZODB writes one to an object whose class has
// __getnewargs__) to each of refs and a string naming the object and its
// revision, padded to at least pad bytes.
func packRecord(oid zodb.Oid, rev int, refs []zodb.Oid, pad int) []byte {
	b := []byte("\x80\x03cpersistent.list\nPersistentList\nq\x00.")
	b = append(b, "\x80\x03]q\x01("...)
	for _, r := range refs {
		b = append(b, 'C', 8)
		b = binary.BigEndian.AppendUint64(b, uint64(r))
		b = append(b, 'Q')
	}
	s := fmt.Sprintf("oid %d rev %d", oid, rev)
	for len(s) < pad {
		s += "."
	}
	b = append(b, 'X')
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	b = append(b, s...)
	return append(b, "e."...)
}

// packDB describes a database genPackDB wrote.
type packDB struct {
	packTid zodb.Tid // the middle: the first half of the transactions is at or before it
	txns    int
	leaves  []zodb.Oid // objects reachable at the head
	garbage []zodb.Oid // objects unreachable from the pack time on
}

// genPackDB writes a database of nobj leaf objects, under containers of
// perContainer leaves each under the root, for packing: every leaf gets
// revs revisions, half before the pack time and half after; the first
// container drops a tenth of its leaves before the pack time (garbage);
// those are written no more. After the pack time, every undoEvery-th leaf
// gets undo records (backpointers to its revision current at the pack
// time), and the leaves after them undo records to their first revision,
// which the pack must then keep though it was not current.
func genPackDB(tb testing.TB, path string, nobj, perContainer, revs, undoEvery int) *packDB {
	w, done := newTestWriter(tb, path)
	defer done()
	db := &packDB{}
	tid := zodb.TidFromTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	next := func() zodb.Tid { tid += 1 << 20; db.txns++; return tid }
	ncont := (nobj + perContainer - 1) / perContainer
	leaf := func(i int) zodb.Oid { return zodb.Oid(1 + ncont + i) }
	contRefs := func(c int, drop bool) []zodb.Oid {
		var refs []zodb.Oid
		for i := c * perContainer; i < min(nobj, (c+1)*perContainer); i++ {
			if drop && i%10 == 0 {
				continue
			}
			refs = append(refs, leaf(i))
		}
		return refs
	}
	garbage := func(i int) bool { return i < perContainer && i%10 == 0 }
	first := map[zodb.Oid]int64{} // each object's first record
	var rootRefs []zodb.Oid
	for c := range ncont {
		rootRefs = append(rootRefs, zodb.Oid(1+c))
	}
	w.txn(next(), ' ', "gen", "root", "", testRec{oid: 0, data: packRecord(0, 0, rootRefs, 0)})
	for c := range ncont {
		recs := []testRec{{oid: zodb.Oid(1 + c), data: packRecord(zodb.Oid(1+c), 0, contRefs(c, false), 0)}}
		for _, oid := range contRefs(c, false) {
			recs = append(recs, testRec{oid: oid, data: packRecord(oid, 0, nil, 64)})
		}
		for i, pos := range w.txn(next(), ' ', "gen", "create", "", recs...) {
			first[recs[i].oid] = pos
		}
	}
	at := map[zodb.Oid]int64{} // each leaf's record current at the pack time
	for rev := 1; rev < revs; rev++ {
		if rev == revs/2 {
			c := zodb.Oid(1)
			w.txn(next(), ' ', "gen", "drop", "", testRec{oid: c, data: packRecord(c, rev, contRefs(0, true), 0)})
			db.packTid = tid
			for oid, pos := range w.last {
				at[oid] = pos
			}
		}
		for i := 0; i < nobj; i += 100 {
			var recs []testRec
			for j := i; j < min(nobj, i+100); j++ {
				oid := leaf(j)
				r := testRec{oid: oid, data: packRecord(oid, rev, nil, 64)}
				switch {
				case rev >= revs/2 && garbage(j):
					continue
				case rev > revs/2 && j%undoEvery == 0:
					r = testRec{oid: oid, back: at[oid]}
				case rev > revs/2 && j%undoEvery == 1:
					r = testRec{oid: oid, back: first[oid]}
				}
				recs = append(recs, r)
			}
			if len(recs) > 0 {
				w.txn(next(), ' ', "gen", fmt.Sprintf("rev %d", rev), "", recs...)
			}
		}
	}
	for i := range nobj {
		if garbage(i) {
			db.garbage = append(db.garbage, leaf(i))
		} else {
			db.leaves = append(db.leaves, leaf(i))
		}
	}
	return db
}
