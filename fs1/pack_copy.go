package fs1

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/zodbneo/zodbneo/zodb"
)

// packCopier writes the packed file, as Python's FileStoragePacker and
// PackCopier do: first the kept records of the transactions up to the pack
// time (copyToPackTime), then every transaction after it (copyRest).
//
// Positions change in the new file, so every pointer is rewritten: the
// records up to the pack time lose their previous-record pointers and
// their backpointers (their data is copied in), the records after it point
// to the new previous records and keep their backpointers when the record
// they point to was kept.
type packCopier struct {
	src *File
	gc  *packGC
	out *packOut

	// index maps each oid to its last record in the new file.
	index map[zodb.Oid]int64
	// txns lists the transactions of the new file in order, for
	// backpointers to find the one a tid names.
	txns []packedTxn
	// seen caches the first record of each oid in the transactions last
	// searched for a backpointer, oldest first.
	seen    []seenTxn
	readBuf []byte
	dataBuf []byte

	tindex   []indexEntry // records of the transaction being copied
	progress func(pos int64)
}

// packedTxn is a transaction written to the new file.
type packedTxn struct {
	tid zodb.Tid
	pos int64
}

func newPackCopier(src *File, gc *packGC, out *packOut) *packCopier {
	return &packCopier{src: src, gc: gc, out: out, index: make(map[zodb.Oid]int64, len(gc.reach))}
}

// copyToPackTime copies the transactions before gc.packPos that hold a
// kept record, with only those records and status 'p'. A record gets its
// data, following its backpointers, and no previous-record pointer.
func (c *packCopier) copyToPackTime(ctx context.Context) error {
	it := c.src.Iter(FileHeaderLen, Forward)
	for n := 0; it.Pos() < c.gc.packPos; n++ {
		if err := packCheck(ctx, n, c.progress, it.Pos()); err != nil {
			return err
		}
		h, err := it.NextTxn()
		if err != nil {
			return eofAsTorn(err, it.Pos())
		}
		if err := c.copyKept(it, h); err != nil {
			return err
		}
	}
	return nil
}

// copyKept copies the kept records of the transaction h, if any.
func (c *packCopier) copyKept(it *Iter, h *TxnHeader) error {
	tpos := int64(-1)
	for {
		d, err := it.NextData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if !c.gc.isReachable(d.Oid, d.Pos) {
			continue
		}
		if tpos < 0 {
			if tpos, err = c.beginTxn(h, zodb.TxnPacked); err != nil {
				return err
			}
		}
		data, err := c.recordData(it, d)
		if err != nil {
			return err
		}
		pos := c.out.pos()
		rec := DataHeader{Oid: d.Oid, Tid: d.Tid, TxnPos: tpos}
		c.out.buf = AppendDataRecord(c.out.buf, &rec, data)
		c.index[d.Oid] = pos
		if err := c.out.maybeFlush(); err != nil {
			return err
		}
	}
	if tpos < 0 {
		return nil
	}
	return c.endTxn(h.Tid, tpos)
}

// recordData returns the data of the iterator's current record d: its own,
// or what its backpointers lead to (nil for a deletion).
func (c *packCopier) recordData(it *Iter, d *DataHeader) ([]byte, error) {
	if d.DataLen != 0 {
		return it.Data()
	}
	return c.src.LoadData(d)
}

// beginTxn writes the header of h with the given status, its length to be
// patched by endTxn, and returns its position.
func (c *packCopier) beginTxn(h *TxnHeader, status zodb.TxnStatus) (int64, error) {
	tpos := c.out.pos()
	th := *h
	th.Status = status
	b, err := AppendTxnHeader(c.out.buf, &th)
	if err != nil {
		return 0, err
	}
	c.out.buf = b
	return tpos, nil
}

// endTxn closes the transaction written at tpos: its length, in the header
// and after the records.
func (c *packCopier) endTxn(tid zodb.Tid, tpos int64) error {
	tl := c.out.pos() - tpos
	if err := c.out.patchU64(tpos+txnOffLen, uint64(tl)); err != nil {
		return err
	}
	c.txns = append(c.txns, packedTxn{tid: tid, pos: tpos})
	return c.out.append(AppendTxnTrailer(nil, tl))
}

// copyRest copies the transactions in [from, to) of the source whole,
// status kept: they all come after the pack time. to is the end of
// committed transactions the caller saw in the source.
func (c *packCopier) copyRest(ctx context.Context, from, to int64) error {
	it := c.src.Iter(from, Forward)
	for n := 0; it.Pos() < to; n++ {
		if err := packCheck(ctx, n, c.progress, it.Pos()); err != nil {
			return err
		}
		h, err := it.NextTxn()
		if err != nil {
			return eofAsTorn(err, it.Pos())
		}
		if err := checkPackTxn(c.src, h); err != nil {
			return err
		}
		if err := c.copyTxn(it, h); err != nil {
			return err
		}
	}
	return nil
}

// copyTxn copies the transaction h whole (Python's copyOne).
func (c *packCopier) copyTxn(it *Iter, h *TxnHeader) error {
	tpos, err := c.beginTxn(h, h.Status)
	if err != nil {
		return err
	}
	c.tindex = c.tindex[:0]
	for {
		d, err := it.NextData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := c.copyRecord(it, d, tpos); err != nil {
			return err
		}
	}
	// The previous-record pointers of a transaction's records name
	// records of earlier transactions only.
	for _, e := range c.tindex {
		c.index[e.oid] = e.pos
	}
	return c.endTxn(h.Tid, tpos)
}

// copyRecord copies the record d of a transaction after the pack time
// (Python's PackCopier.copy). A backpointer stays a backpointer when the
// transaction it names holds, in the new file, a record of the object
// with the same data; else the data is copied in.
func (c *packCopier) copyRecord(it *Iter, d *DataHeader, tpos int64) error {
	data, err := c.recordData(it, d)
	if err != nil {
		return err
	}
	var back int64
	if d.DataLen == 0 && d.BackPos != 0 {
		b, err := c.src.ReadDataHeader(d.BackPos)
		if err != nil {
			return err
		}
		if b.Oid != d.Oid {
			return c.src.recErr(d.Pos, corruptf("oid %s: backpointer to a record of oid %s", d.Oid, b.Oid))
		}
		if back, err = c.findBack(b.Tid, d.Oid, data); err != nil {
			return err
		}
	}
	pos := c.out.pos()
	rec := DataHeader{Oid: d.Oid, Tid: d.Tid, PrevRevPos: c.index[d.Oid], TxnPos: tpos, BackPos: back}
	if back != 0 {
		data = nil
	}
	c.out.buf = AppendDataRecord(c.out.buf, &rec, data)
	c.tindex = append(c.tindex, indexEntry{d.Oid, pos})
	return c.out.maybeFlush()
}

// findBack returns the position, in the new file, of the record a
// backpointer to oid's revision written by tid becomes, or 0 when the
// data must be copied in (Python's _resolve_backpointer): the first record
// of oid in that transaction, if it has no data of its own or the same
// data. Python fails the pack when no transaction has the tid; that
// cannot happen to what was committed before the pack started, and for
// what was committed during it copying the data in is what keeps it.
func (c *packCopier) findBack(tid zodb.Tid, oid zodb.Oid, data []byte) (int64, error) {
	i := sort.Search(len(c.txns), func(i int) bool { return c.txns[i].tid >= tid })
	if i == len(c.txns) || c.txns[i].tid != tid {
		return 0, nil
	}
	oids, err := c.txnRecords(c.txns[i].pos)
	if err != nil {
		return 0, err
	}
	rec, ok := oids[oid]
	switch {
	case !ok:
		return 0, nil
	case rec.plen == 0:
		return rec.pos, nil // a backpointer or a deletion: trusted, as Python does
	case rec.plen != int64(len(data)):
		return 0, nil
	}
	if int64(cap(c.dataBuf)) < rec.plen {
		c.dataBuf = make([]byte, rec.plen)
	}
	have := c.dataBuf[:rec.plen]
	if err := c.out.readAt(have, rec.pos+DataHeaderLen); err != nil {
		return 0, err
	}
	if !bytes.Equal(have, data) {
		return 0, nil
	}
	return rec.pos, nil
}

// txnRecords returns the first record of each oid in the new file's
// transaction at tpos, and its data length.
func (c *packCopier) txnRecords(tpos int64) (map[zodb.Oid]packedRec, error) {
	for _, t := range c.seen {
		if t.pos == tpos {
			return t.oids, nil
		}
	}
	var fix [TxnHeaderFixLen]byte
	if err := c.out.readAt(fix[:], tpos); err != nil {
		return nil, err
	}
	x := decodeTxnFix(fix[:])
	oids := map[zodb.Oid]packedRec{}
	end := tpos + int64(x.tl)
	r := blockReader{out: c.out, end: end + txnTrailerLen, buf: c.readBuf}
	for pos := tpos + TxnHeaderFixLen + int64(x.metaLen()); pos < end; {
		hb, err := r.peek(pos, DataHeaderLen)
		if err != nil {
			return nil, err
		}
		oid := zodb.Oid(be(hb).u64(dataOffOid))
		plen := int64(be(hb).u64(dataOffPlen))
		if _, ok := oids[oid]; !ok {
			oids[oid] = packedRec{pos: pos, plen: plen}
		}
		if plen == 0 {
			plen = backPtrLen
		}
		pos += DataHeaderLen + plen
	}
	c.readBuf = r.buf
	if len(c.seen) == packSeenTxns {
		copy(c.seen, c.seen[1:])
		c.seen = c.seen[:packSeenTxns-1]
	}
	c.seen = append(c.seen, seenTxn{pos: tpos, oids: oids})
	return oids, nil
}

// packSeenTxns is how many transactions' records findBack remembers: an
// undo points its records into one transaction or a few.
const packSeenTxns = 16

// seenTxn is a transaction of the new file whose records findBack read.
type seenTxn struct {
	pos  int64
	oids map[zodb.Oid]packedRec
}

// packedRec is a record of the new file: where, and its data length.
type packedRec struct {
	pos, plen int64
}

// blockReader reads the records of the new file in large blocks.
type blockReader struct {
	out *packOut
	end int64 // nothing is read past it
	buf []byte
	off int64 // file position of buf[0]
	n   int   // valid bytes in buf
}

// peek returns the n bytes at pos, valid until the next call.
func (r *blockReader) peek(pos int64, n int) ([]byte, error) {
	if pos >= r.off && pos+int64(n) <= r.off+int64(r.n) {
		return r.buf[pos-r.off : pos-r.off+int64(n)], nil
	}
	if len(r.buf) < max(n, packReadLen) {
		r.buf = make([]byte, max(n, packReadLen))
	}
	m := int(min(int64(len(r.buf)), r.end-pos))
	if m < n {
		return nil, fmt.Errorf("fs1: %s: record @%d runs past its transaction: %w", r.out.path, pos, zodb.ErrCorrupt)
	}
	if err := r.out.readAt(r.buf[:m], pos); err != nil {
		return nil, err
	}
	r.off, r.n = pos, m
	return r.buf[:n], nil
}

// packReadLen is how much a blockReader reads at once.
const packReadLen = 64 << 10

// packCheck looks at ctx and reports progress every scanCheckEvery
// transactions of a pack's pass.
func packCheck(ctx context.Context, n int, progress func(pos int64), pos int64) error {
	if n%scanCheckEvery != 0 {
		return nil
	}
	if progress != nil {
		progress(pos)
	}
	return ctx.Err()
}
