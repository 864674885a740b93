package fs1

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// packGC decides which data records before the pack time a pack keeps, as
// Python's fspack.GC does. A revision is kept when it is reachable: the
// revision of an object current at the pack time, the object being
// reachable from the root (oid 0) through the references of such
// revisions; or a revision a backpointer after the pack time points to,
// together with what the revisions it refers to reach at the pack time.
//
// It reads the file up to eof, the end of the committed transactions when
// the pack started: transactions committed later are all copied anyway.
type packGC struct {
	f       *File
	eof     int64
	packTid zodb.Tid
	noGC    bool

	// packPos is where the first transaction after the pack time starts,
	// eof when there is none.
	packPos int64
	// redundant says that the file was already packed at or after the
	// pack time: every transaction up to packPos, and the one at
	// packPos, has status 'p' (Python's RedundantPackWarning).
	redundant bool

	// cur maps each object to its record current at the pack time, for
	// objects whose current revision is not a deletion (oid2curpos).
	cur map[zodb.Oid]int64
	// reach holds one reachable record per reachable object, reachEx the
	// few more some objects have (backpointers after the pack time to
	// revisions that were not current at it).
	reach   map[zodb.Oid]int64
	reachEx map[zodb.Oid][]int64

	progress func(pos int64) // how far in [0, eof) the GC has read
}

// DanglingRefError says that an object reachable at the pack time refers
// to an object that does not exist then (never created, or deleted).
// Python's pack fails on it the same way (a KeyError); packing without
// garbage collection (PackOptions.NoGC) does not follow references.
type DanglingRefError struct {
	From zodb.Oid // the object holding the reference
	Oid  zodb.Oid // the object referred to
}

func (e *DanglingRefError) Error() string {
	return fmt.Sprintf("oid %s refers to oid %s, which does not exist at the pack time", e.From, e.Oid)
}

// findReachable is Python's GC.findReachable.
func (g *packGC) findReachable(ctx context.Context) error {
	if err := g.buildPackIndex(ctx); err != nil {
		return err
	}
	if g.redundant {
		return nil
	}
	if g.noGC {
		g.reach = g.cur
		return nil
	}
	g.reach = make(map[zodb.Oid]int64, len(g.cur))
	g.reachEx = map[zodb.Oid][]int64{}
	if err := g.markFromRoots([]oidRef{{oid: 0}}); err != nil {
		return err
	}
	if err := g.markFromFuture(ctx); err != nil {
		return err
	}
	g.cur = nil // no longer needed, and as large as the index
	return nil
}

// isReachable says whether the record of oid at pos is kept.
func (g *packGC) isReachable(oid zodb.Oid, pos int64) bool {
	rpos, ok := g.reach[oid]
	if !ok {
		return false
	}
	return rpos == pos || slices.Contains(g.reachEx[oid], pos)
}

// buildPackIndex reads the transactions up to the pack time: it finds
// packPos and each object's record current at the pack time, and tells
// whether the pack is redundant.
func (g *packGC) buildPackIndex(ctx context.Context) error {
	g.cur = map[zodb.Oid]int64{}
	it := g.f.Iter(FileHeaderLen, Forward)
	pos := int64(FileHeaderLen)
	unpacked := false
	var lastStatus zodb.TxnStatus
	for n := 0; pos < g.eof; n++ {
		if err := packCheck(ctx, n, g.progress, pos); err != nil {
			return err
		}
		h, err := it.NextTxn()
		if err != nil {
			return eofAsTorn(err, pos)
		}
		if h.Tid > g.packTid {
			break
		}
		if err := checkPackTxn(g.f, h); err != nil {
			return err
		}
		if h.Status != zodb.TxnPacked {
			unpacked = true
		}
		lastStatus = h.Status
		if err := g.indexTxn(it); err != nil {
			return err
		}
		pos = h.End()
	}
	g.packPos = pos
	if unpacked {
		return nil
	}
	// Every transaction up to the pack time was packed before: the
	// pack is redundant if the next one was too (or there is none).
	if pos < g.eof {
		h, err := g.f.ReadTxnHeader(pos)
		if err != nil {
			return err
		}
		lastStatus = h.Status
	}
	g.redundant = lastStatus == zodb.TxnPacked
	return nil
}

// indexTxn records the current transaction's records in g.cur: a record
// with data or a backpointer makes the object current there, a deletion
// (no data, backpointer 0) drops it.
func (g *packGC) indexTxn(it *Iter) error {
	for {
		d, err := it.NextData()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if d.DataLen != 0 || d.BackPos != 0 {
			g.cur[d.Oid] = d.Pos
		} else {
			delete(g.cur, d.Oid)
		}
	}
}

// oidRef is an object to mark, and the object whose reference led there.
type oidRef struct{ oid, from zodb.Oid }

// markFromRoots marks reachable every object reachable from todo through
// the revisions current at the pack time (Python's
// findReachableAtPacktime).
func (g *packGC) markFromRoots(todo []oidRef) error {
	for len(todo) > 0 {
		r := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, ok := g.reach[r.oid]; ok {
			continue
		}
		pos, ok := g.cur[r.oid]
		if !ok {
			if r.oid == 0 && len(g.cur) == 0 {
				continue // packing to before the root was created
			}
			if r.oid == 0 {
				return fmt.Errorf("gc: the root object (oid 0) does not exist at the pack time")
			}
			return &DanglingRefError{From: r.from, Oid: r.oid}
		}
		g.reach[r.oid] = pos
		refs, err := g.refs(pos)
		if err != nil {
			return err
		}
		for _, oid := range refs {
			if _, ok := g.reach[oid]; !ok {
				todo = append(todo, oidRef{oid: oid, from: r.oid})
			}
		}
	}
	return nil
}

// markFromFuture reads the transactions after the pack time for
// backpointers into data before it, and keeps the revisions they point
// to (Python's findReachableFromFuture). The references of a kept
// revision that was not current at the pack time are followed only when
// its object was reachable anyway, as Python does.
func (g *packGC) markFromFuture(ctx context.Context) error {
	var extra []int64
	it := g.f.Iter(g.packPos, Forward)
	pos := g.packPos
	for n := 0; pos < g.eof; n++ {
		if err := packCheck(ctx, n, g.progress, pos); err != nil {
			return err
		}
		h, err := it.NextTxn()
		if err != nil {
			return eofAsTorn(err, pos)
		}
		if err := checkPackTxn(g.f, h); err != nil {
			return err
		}
		for {
			d, err := it.NextData()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if d.BackPos == 0 || d.BackPos >= g.packPos {
				continue
			}
			if _, ok := g.reach[d.Oid]; !ok {
				g.reach[d.Oid] = d.BackPos
				continue
			}
			if ex := g.reachEx[d.Oid]; !slices.Contains(ex, d.BackPos) {
				g.reachEx[d.Oid] = append(ex, d.BackPos)
				extra = append(extra, d.BackPos)
			}
		}
		pos = h.End()
	}
	for _, pos := range extra {
		d, err := g.f.ReadDataHeader(pos)
		if err != nil {
			return err
		}
		refs, err := g.refs(pos)
		if err != nil {
			return err
		}
		todo := make([]oidRef, len(refs))
		for i, oid := range refs {
			todo[i] = oidRef{oid: oid, from: d.Oid}
		}
		if err := g.markFromRoots(todo); err != nil {
			return err
		}
	}
	return nil
}

// refs returns the oids the revision at pos refers to, following its
// backpointers to its data; none for a deletion.
func (g *packGC) refs(pos int64) ([]zodb.Oid, error) {
	d, err := g.f.ReadDataHeader(pos)
	if err != nil {
		return nil, err
	}
	data, err := g.f.LoadData(d)
	if err != nil || data == nil {
		return nil, err
	}
	refs, err := zpickle.Refs(data)
	if err != nil {
		return nil, g.f.recErr(pos, fmt.Errorf("oid %s: references: %w", d.Oid, err))
	}
	return refs, nil
}

// checkPackTxn refuses what Python's checkTxn refuses in a pack beyond
// what Iter checks: a checkpoint transaction before the end of the
// committed data.
func checkPackTxn(f *File, h *TxnHeader) error {
	if h.Status == zodb.TxnInprogress {
		return f.recErr(h.Pos, corruptf("transaction %s with the checkpoint status 'c' before the end of the committed data", h.Tid))
	}
	return nil
}

// eofAsTorn turns the io.EOF of an Iter that should not have reached the
// end of its file (the file shrank under the pack) into an error.
func eofAsTorn(err error, pos int64) error {
	if err == io.EOF {
		return fmt.Errorf("file ended at %d before the end of the committed data: %w", pos, io.ErrUnexpectedEOF)
	}
	return err
}
