package fs1

import (
	"context"
	"io"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// scanState is where indexing the file has got to.
type scanState struct {
	pos  int64    // end of the last committed transaction: Size
	last zodb.Tid // tid of the last committed transaction
	// head is Python's lastTransaction: the last tid read from a
	// transaction header, which may be that of the torn tail.
	head zodb.Tid
	tail *TornTail // nil when the file ends cleanly at pos
}

// indexEntry is one index update of a transaction being scanned.
type indexEntry struct {
	oid zodb.Oid
	pos int64
}

// scan adds to idx the transactions of f from s.pos (a transaction start,
// after the transaction of tid s.last) up to the end of the file or its
// tail, as Python's read_index does, and returns where it stopped.
//
// A transaction reaches idx only once all its records are read and
// checked. Undone transactions (status 'u') are skipped, as Python does.
// Errors are the *RecordError of the first corrupt record, or ctx's.
func (f *File) scan(ctx context.Context, idx *fsindex.Index, s scanState) (scanState, error) {
	size := f.Size()
	it := f.Iter(s.pos, Forward)
	it.txn.Tid = s.last
	s.tail = nil
	var pending []indexEntry
	for {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		h, err := it.NextTxn()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			tail, err := f.tailAt(it.Pos(), size, err)
			if err != nil {
				return s, err
			}
			if tail.Tid != 0 {
				s.head = tail.Tid
			}
			s.tail = tail
			return s, nil
		}
		if h.Status == zodb.TxnInprogress {
			s.tail, s.head = f.inProgress(h), h.Tid
			return s, nil
		}
		if h.Status != zodb.TxnUndone {
			if pending, err = it.txnEntries(pending[:0]); err != nil {
				return s, err
			}
			for _, e := range pending {
				idx.Set(e.oid, e.pos)
			}
		}
		s.pos, s.last, s.head = h.End(), h.Tid, h.Tid
	}
}

// txnEntries appends to buf the oid and position of every data record of
// the current transaction.
func (it *Iter) txnEntries(buf []indexEntry) ([]indexEntry, error) {
	for {
		d, err := it.NextData()
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		buf = append(buf, indexEntry{d.Oid, d.Pos})
	}
}
