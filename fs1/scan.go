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

// BuildIndex reads f's transactions from the first one up to position
// limit (all of them when limit < 0) and returns the index Python's
// read_index builds from them: each oid maps to its last data record,
// undone transactions (status 'u') are skipped, and the scan ends at a
// checkpoint transaction (status 'c') or at a transaction the end of the
// file cuts. The index's TopPos is the end of the last transaction read.
//
// The returned tail, when not nil, says what the scan stopped at before the
// end of the file; it is not an error: Python serves the file up to there.
// progress, when not nil, is called now and then with how far the scan has
// read and the file's size. Errors: the *RecordError of the first corrupt
// record before the tail, ctx's error.
func (f *File) BuildIndex(ctx context.Context, limit int64, progress func(pos, size int64)) (*fsindex.Index, *TornTail, error) {
	idx := fsindex.New()
	s, err := f.scan(ctx, idx, scanState{pos: FileHeaderLen}, &scanOptions{limit: limit, progress: progress})
	idx.TopPos = s.pos
	if err != nil {
		return nil, nil, err
	}
	return idx, s.tail, nil
}

// scanOptions bound a scan and report its progress.
type scanOptions struct {
	limit    int64 // stop at the first transaction at or after limit; < 0: no limit
	progress func(pos, size int64)
}

// scanCheckEvery is how many transactions a scan reads between looks at
// its context and calls to its progress function.
const scanCheckEvery = 256

// scan adds to idx the transactions of f from s.pos (a transaction start,
// after the transaction of tid s.last) up to the end of the file or its
// tail, as Python's read_index does, and returns where it stopped. opt may
// be nil.
//
// A transaction reaches idx only once all its records are read and
// checked. Undone transactions (status 'u') are skipped, as Python does.
// Errors are the *RecordError of the first corrupt record, or ctx's.
func (f *File) scan(ctx context.Context, idx *fsindex.Index, s scanState, opt *scanOptions) (scanState, error) {
	if opt == nil {
		opt = &scanOptions{limit: -1}
	}
	size := f.Size()
	it := f.Iter(s.pos, Forward)
	it.txn.Tid = s.last
	s.tail = nil
	var pending []indexEntry
	for n := 0; ; n++ {
		if opt.limit >= 0 && s.pos >= opt.limit {
			return s, nil
		}
		if n%scanCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return s, err
			}
			if opt.progress != nil {
				opt.progress(s.pos, size)
			}
		}
		h, err := it.NextTxn()
		if err == io.EOF {
			if opt.progress != nil {
				opt.progress(s.pos, size)
			}
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
