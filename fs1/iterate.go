package fs1

import (
	"context"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// Iterate returns an iterator over the committed transactions with
// tidMin <= tid <= tidMax, as Python's FileIterator walks them: it stops
// quietly at a checkpoint transaction, at one that runs past the end of
// the file, and at junk after the last transaction, but fails on a
// transaction header cut by the end of the file (a *RecordError for which
// IsTorn holds), as Python does. Undone transactions (status 'u') are
// skipped.
//
// For an undo record, DataInfo.DataTid is the transaction its backpointer
// names (one hop) and DataInfo.Data the data at the end of the chain, nil
// when the chain ends in a deletion. Errors are wrapped in *zodb.OpError.
func (fs *FileStorage) Iterate(ctx context.Context, tidMin, tidMax zodb.Tid) zodb.Iterator {
	return &txnIter{fs: fs, tidMin: tidMin, tidMax: tidMax, dir: Forward}
}

// IterateBackward is Iterate going from the newest transaction with
// tid <= tidMax back to the oldest with tid >= tidMin, as fstail reads a
// file. It starts from the committed transactions Iterate would end at: a
// torn or in-progress tail is never served. Each transaction's records
// come in the order they were stored.
func (fs *FileStorage) IterateBackward(ctx context.Context, tidMin, tidMax zodb.Tid) zodb.Iterator {
	return &txnIter{fs: fs, tidMin: tidMin, tidMax: tidMax, dir: Backward}
}

// txnIter is FileStorage's zodb.Iterator, and the zodb.DataIterator of
// the transaction it is at.
type txnIter struct {
	fs             *FileStorage
	tidMin, tidMax zodb.Tid
	dir            Direction
	it             *Iter // nil until the first NextTxn finds where to start
	err            error

	data zodb.DataInfo
	rec  DataHeader
	buf  []byte // data at the end of backpointer chains
}

func (ti *txnIter) fail(err error) error {
	if err != io.EOF {
		err = &zodb.OpError{URL: ti.fs.url, Op: "iterate",
			Args: fmt.Sprintf("%s..%s", ti.tidMin, ti.tidMax), Err: err}
	}
	ti.err = err
	return err
}

// NextTxn implements zodb.Iterator.
func (ti *txnIter) NextTxn(ctx context.Context) (*zodb.TxnInfo, zodb.DataIterator, error) {
	if ti.err != nil {
		return nil, nil, ti.err
	}
	if ti.it == nil {
		if err := ti.start(); err != nil {
			return nil, nil, ti.fail(err)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, ti.fail(err)
		}
		h, err := ti.nextTxn()
		if err != nil {
			return nil, nil, ti.fail(err)
		}
		if h.Status == zodb.TxnUndone {
			continue
		}
		return txnInfo(h), ti, nil
	}
}

// start finds where the iteration begins: going forward, the first
// transaction with tid >= tidMin; going backward, the end of the last one
// with tid <= tidMax.
func (ti *txnIter) start() error {
	from := ti.tidMin
	if ti.dir == Backward {
		if ti.tidMax == ^zodb.Tid(0) {
			from = ti.tidMax
		} else {
			from = ti.tidMax + 1
		}
	}
	f, pos, err := ti.fs.findTxn(from)
	if err != nil {
		return err
	}
	ti.it = f.Iter(pos, ti.dir)
	return nil
}

// nextTxn returns the next transaction to serve, or io.EOF where Python's
// FileIterator stops.
func (ti *txnIter) nextTxn() (*TxnHeader, error) {
	it := ti.it
	if ti.dir == Backward {
		h, err := it.NextTxn()
		if err == nil && h.Tid < ti.tidMin {
			return nil, io.EOF
		}
		return h, err
	}
	pos := it.Pos()
	h, err := it.NextTxn()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		if it.size-pos < TxnHeaderFixLen {
			return nil, err // a cut header: Python's FileIterator fails
		}
		if _, err := it.f.tailAt(pos, it.size, err); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	if h.Tid > ti.tidMax || h.Status == zodb.TxnInprogress {
		return nil, io.EOF
	}
	return h, nil
}

// txnInfo copies the metadata of h, which belongs to an Iter.
func txnInfo(h *TxnHeader) *zodb.TxnInfo {
	meta := make([]byte, 0, len(h.User)+len(h.Description)+len(h.Extension))
	meta = append(append(append(meta, h.User...), h.Description...), h.Extension...)
	nu, nd := len(h.User), len(h.Description)
	return &zodb.TxnInfo{
		Tid:         h.Tid,
		Status:      h.Status,
		User:        meta[:nu:nu],
		Description: meta[nu : nu+nd : nu+nd],
		Extension:   meta[nu+nd:],
	}
}

// NextData implements zodb.DataIterator.
func (ti *txnIter) NextData(ctx context.Context) (*zodb.DataInfo, error) {
	if ti.err != nil {
		return nil, ti.err
	}
	d, err := ti.it.NextData()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		return nil, ti.fail(err)
	}
	ti.data = zodb.DataInfo{Oid: d.Oid, Tid: d.Tid}
	switch {
	case d.DataLen != 0:
		ti.data.Data, err = ti.it.Data()
	case d.BackPos != 0:
		err = ti.loadBack(d)
	}
	if err != nil {
		return nil, ti.fail(err)
	}
	return &ti.data, nil
}

// loadBack fills ti.data for d, a record with a backpointer: DataTid is
// the tid of the record pointed to, Data what the chain ends at.
func (ti *txnIter) loadBack(d *DataHeader) error {
	f := ti.it.f // a pack may have replaced the storage's file since
	var buf [DataHeaderLen + backPtrLen]byte
	h := &ti.rec
	if _, err := f.readRecord(h, d.BackPos, buf[:]); err != nil {
		return err
	}
	if h.Oid != d.Oid {
		return f.recErr(d.Pos, corruptf("oid %s: backpointer to a record of oid %s", d.Oid, h.Oid))
	}
	ti.data.DataTid = h.Tid
	if _, err := f.chainEnd(h, buf[:]); err != nil || h.DataLen == 0 {
		return err // nil data: the chain ends in a deletion
	}
	if int64(cap(ti.buf)) < h.DataLen {
		ti.buf = make([]byte, h.DataLen)
	}
	ti.buf = ti.buf[:h.DataLen]
	if err := f.readAt(ti.buf, h.DataPos()); err != nil {
		return err
	}
	ti.data.Data = ti.buf
	return nil
}

// findTxn returns the position of the first committed transaction with a
// tid >= tid, or the end of the committed transactions when there is none.
// Like Python's FileIterator it walks transaction headers from whichever
// end of the file is closer in time. It returns the file too: a pack may
// replace the storage's file after.
func (fs *FileStorage) findTxn(tid zodb.Tid) (*File, int64, error) {
	fs.mu.RLock()
	f, end, last := fs.file, fs.mu.scan.pos, fs.mu.scan.last
	fs.mu.RUnlock()
	if end == FileHeaderLen {
		return f, FileHeaderLen, nil
	}
	if tid > last {
		return f, end, nil
	}
	first, err := f.ReadTxnHeader(FileHeaderLen)
	if err != nil {
		return nil, 0, err
	}
	if tid <= first.Tid {
		return f, FileHeaderLen, nil
	}
	var pos int64
	if tid-first.Tid < last-tid {
		pos, err = f.scanForward(first, tid)
	} else {
		pos, err = f.scanBackward(end, tid)
	}
	return f, pos, err
}

// scanForward returns the position of the first transaction from h on
// with a tid >= tid.
func (f *File) scanForward(h *TxnHeader, tid zodb.Tid) (int64, error) {
	for h.Tid < tid {
		next, err := f.ReadTxnHeader(h.End())
		if err != nil {
			return 0, err
		}
		if next.Tid <= h.Tid {
			return 0, f.recErr(next.Pos, corruptf("transaction tid %s not after the previous one's %s", next.Tid, h.Tid))
		}
		h = next
	}
	return h.Pos, nil
}

// scanBackward returns, going back from the transaction end `end`, the
// end of the last transaction with a tid < tid.
func (f *File) scanBackward(end int64, tid zodb.Tid) (int64, error) {
	for end > FileHeaderLen {
		h, err := f.ReadTxnHeaderBefore(end)
		if err != nil {
			return 0, err
		}
		if h.Tid < tid {
			break
		}
		end = h.Pos
	}
	return end, nil
}
