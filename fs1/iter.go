package fs1

import (
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// Direction is the way an Iter walks transactions.
type Direction int

const (
	Forward  Direction = iota // from older to newer
	Backward                  // from newer to older
)

// Iter walks the transaction records of a File from a position, forwards
// or backwards, and the data records of each transaction forwards. It
// reads the file in large blocks and checks every record: lengths that
// agree, tids that grow, data records that belong to their transaction.
//
// The first error is kept: every later call returns it again. An Iter is
// used by one goroutine at a time; it sees the file as it was when created.
type Iter struct {
	f    *File
	dir  Direction
	pos  int64 // forward: next transaction; backward: end of the previous one
	size int64
	w    window
	err  error

	txn      TxnHeader
	meta     []byte // backs txn's user, description and extension
	haveTxn  bool
	dpos     int64 // next data record of txn
	data     DataHeader
	haveData bool // data is the current record
}

// Iter returns an iterator starting at pos: the start of a transaction
// (or the end of the file) to go Forward from, the end of a transaction
// (or of the file) to go Backward from.
func (f *File) Iter(pos int64, dir Direction) *Iter {
	return &Iter{f: f, dir: dir, pos: pos, size: f.Size(), w: window{r: f.f}}
}

// Pos returns where the iterator is: going forward, the start of the next
// transaction it will read; going backward, the end of it.
func (it *Iter) Pos() int64 { return it.pos }

// NextTxn reads the next transaction header in the iterator's direction.
// The header and its metadata are valid until the next call to NextTxn.
//
// It returns io.EOF at the end (or start) of the file. Errors are
// *RecordError as ReadTxnHeader's; going forward, the transaction's
// redundant length is checked, and tids must grow in the direction of the
// file. Checkpoint transactions (status 'c') are returned, without their
// redundant length checked going forward: callers that serve committed
// data stop at one.
func (it *Iter) NextTxn() (*TxnHeader, error) {
	if it.err != nil {
		return nil, it.err
	}
	var err error
	if it.dir == Forward {
		err = it.nextTxnForward()
	} else {
		err = it.nextTxnBackward()
	}
	if err != nil {
		it.err, it.haveTxn = err, false
		return nil, err
	}
	return &it.txn, nil
}

func (it *Iter) nextTxnForward() error {
	pos := it.pos
	if err := checkTxnPos(pos, it.size); err != nil {
		if err == io.EOF {
			return err
		}
		return it.f.recErr(pos, err)
	}
	if err := it.readTxnAt(pos); err != nil {
		return err
	}
	if it.txn.Status == zodb.TxnInprogress {
		// A transaction being committed may not have its redundant
		// length written yet.
		it.pos = it.txn.End()
		return nil
	}
	tl, err := it.readTrailer(it.txn.DataEnd())
	if err != nil {
		return err
	}
	if tl != uint64(it.txn.Len) {
		return it.f.recErr(pos, corruptf("transaction length %d does not match its redundant length %d", it.txn.Len, tl))
	}
	it.pos = it.txn.End()
	return nil
}

func (it *Iter) nextTxnBackward() error {
	end := it.pos
	if err := checkTxnEnd(end, it.size); err != nil {
		if err == io.EOF {
			return err
		}
		return it.f.recErr(end, err)
	}
	tl, err := it.readTrailer(end - txnTrailerLen)
	if err != nil {
		return err
	}
	pos, err := txnStartFromTrailer(tl, end, it.f.recErr)
	if err != nil {
		return err
	}
	if err := it.readTxnAt(pos); err != nil {
		return err
	}
	if it.txn.End() != end {
		return it.f.recErr(pos, corruptf("transaction length %d does not match its redundant length %d", it.txn.Len, tl))
	}
	it.pos = pos
	return nil
}

// readTxnAt reads the transaction header at pos into it.txn and checks
// that its tid follows the previous one's in the iterator's direction.
func (it *Iter) readTxnAt(pos int64) error {
	back := it.dir == Backward
	b, err := it.w.peek(pos, TxnHeaderFixLen, it.size, back)
	if err != nil {
		return it.f.recErr(pos, err)
	}
	x := decodeTxnFix(b)
	if err := x.check(pos, it.size); err != nil {
		return it.f.recErr(pos, err)
	}
	// tid 0 is ZODB's "no transaction": no real transaction has it.
	if last := it.txn.Tid; last != 0 {
		if !back && x.tid <= last {
			return it.f.recErr(pos, corruptf("transaction tid %s not after the previous one's %s", x.tid, last))
		}
		if back && x.tid >= last {
			return it.f.recErr(pos, corruptf("transaction tid %s not before the next one's %s", x.tid, last))
		}
	}
	m, err := it.w.peek(pos+TxnHeaderFixLen, x.metaLen(), it.size, back)
	if err != nil {
		return it.f.recErr(pos, err)
	}
	it.meta = append(it.meta[:0], m...)
	it.txn.fill(pos, &x, it.meta)
	it.haveTxn, it.haveData, it.dpos = true, false, it.txn.DataPos()
	return nil
}

// readTrailer returns the 8-byte redundant length at pos. It does not move
// the window when a forward iterator has the transaction's data to read.
func (it *Iter) readTrailer(pos int64) (uint64, error) {
	if pos < it.w.off || pos+txnTrailerLen > it.w.off+int64(it.w.n) {
		if it.dir == Forward {
			var b [txnTrailerLen]byte
			if err := it.f.readAt(b[:], pos); err != nil {
				return 0, err
			}
			return be(b[:]).u64(0), nil
		}
	}
	b, err := it.w.peek(pos, txnTrailerLen, it.size, it.dir == Backward)
	if err != nil {
		return 0, it.f.recErr(pos, err)
	}
	return be(b).u64(0), nil
}

// NextData reads the next data record header of the current transaction.
// It is valid until the next call to NextData or NextTxn. It returns
// io.EOF after the last record. A record that does not belong to its
// transaction (transaction pointer, tid, or length past the transaction's
// end) is a zodb.ErrCorrupt *RecordError, and is kept like NextTxn's.
func (it *Iter) NextData() (*DataHeader, error) {
	if it.err != nil {
		return nil, it.err
	}
	it.haveData = false
	if !it.haveTxn || it.dpos == it.txn.DataEnd() {
		return nil, io.EOF
	}
	if err := it.nextData(); err != nil {
		it.err, it.haveTxn = err, false
		return nil, err
	}
	it.haveData = true
	return &it.data, nil
}

func (it *Iter) nextData() error {
	pos, tend := it.dpos, it.txn.DataEnd()
	if tend-pos < DataHeaderLen {
		return it.f.recErr(pos, corruptf("data record header crosses the end of its transaction @%d", it.txn.Pos))
	}
	n := min(int64(DataHeaderLen+backPtrLen), tend-pos)
	b, err := it.w.peek(pos, int(n), it.size, false)
	if err != nil {
		return it.f.recErr(pos, err)
	}
	h := &it.data
	if err := h.decode(b, pos); err != nil {
		return it.f.recErr(pos, err)
	}
	switch {
	case h.TxnPos != it.txn.Pos:
		return it.f.recErr(pos, corruptf("oid %s: transaction pointer %d, want %d", h.Oid, h.TxnPos, it.txn.Pos))
	case h.Tid != it.txn.Tid:
		return it.f.recErr(pos, corruptf("oid %s: tid %s in transaction %s", h.Oid, h.Tid, it.txn.Tid))
	case h.DataLen > tend-pos-DataHeaderLen || (h.DataLen == 0 && n < DataHeaderLen+backPtrLen):
		return it.f.recErr(pos, corruptf("oid %s: data record crosses the end of its transaction @%d", h.Oid, it.txn.Pos))
	}
	if h.DataLen == 0 {
		if err := h.decodeBack(b[DataHeaderLen:]); err != nil {
			return it.f.recErr(pos, err)
		}
	}
	it.dpos = h.End()
	return nil
}

// Data returns the current data record's own data, nil when it holds a
// backpointer. The slice is valid until the next call to the iterator.
func (it *Iter) Data() ([]byte, error) {
	if it.err != nil {
		return nil, it.err
	}
	h := &it.data
	if !it.haveData || h.DataLen == 0 {
		return nil, nil
	}
	b, err := it.w.peek(h.DataPos(), int(h.DataLen), it.size, false)
	if err != nil {
		it.err = it.f.recErr(h.Pos, err)
		return nil, it.err
	}
	return b, nil
}

// Txn returns the current transaction header, nil before the first
// NextTxn or after an error or the end.
func (it *Iter) Txn() *TxnHeader {
	if !it.haveTxn {
		return nil
	}
	return &it.txn
}
