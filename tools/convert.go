package tools

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// ConvertOptions tune Convert. The zero value is fine.
type ConvertOptions struct {
	// Progress, when set, is told now and then how far the copy has got,
	// in units of the source's tid span.
	Progress func(done, total int64)
}

// ConvertStats says what Convert did.
type ConvertStats struct {
	Checked int   // transactions dst already had, found equal to src's
	Copied  int   // transactions copied
	Records int   // object records copied
	Bytes   int64 // object data copied, not counting data behind backpointers
}

// Convert copies every transaction of src into dst, keeping tids, status,
// metadata and records: undo records stay backpointers (a record whose
// DataTid is set is restored as a backpointer to that transaction), so a
// FileStorage copied into a FileStorage is the same file.
//
// Convert resumes an interrupted copy: when dst already has transactions,
// they must be src's first ones, equal to them as Cmp compares
// transactions, and the copy continues after dst's head. A dst that holds
// anything else — a transaction src lacks, or one that differs — gives an
// error saying which, and is left as it was.
//
// A transaction is committed into dst only once all its records were read
// from src, so an error (a torn source, a full disk) leaves dst with whole
// transactions only, ready for Convert to resume.
func Convert(ctx context.Context, src zodb.Storage, dst zodb.Writer, opt *ConvertOptions) (ConvertStats, error) {
	if opt == nil {
		opt = &ConvertOptions{}
	}
	var st ConvertStats
	head, err := dst.Sync(ctx)
	if err != nil {
		return st, fmt.Errorf("tools: convert: %w", err)
	}
	if head != 0 {
		if st.Checked, err = checkOverlap(ctx, src, dst, head); err != nil {
			return st, err
		}
	}
	progress := newTidProgress(opt.Progress, src, zodb.TidMax)
	it := src.Iterate(ctx, head+1, zodb.TidMax)
	var c txnCopier
	for {
		txn, dit, err := it.NextTxn(ctx)
		if errors.Is(err, io.EOF) {
			progress.finish()
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("tools: convert: %s: %w", src.URL(), err)
		}
		progress.txn(txn.Tid)
		if err := c.copyTxn(ctx, dst, txn, dit, &st); err != nil {
			return st, fmt.Errorf("tools: convert: txn %s: %w", txn.Tid, err)
		}
		st.Copied++
	}
}

// checkOverlap checks that dst's transactions, up to its head, are src's
// first ones, and returns how many there are.
func checkOverlap(ctx context.Context, src, dst zodb.Storage, head zodb.Tid) (int, error) {
	c := newTxnCmp(src.Iterate(ctx, 0, head), dst.Iterate(ctx, 0, head))
	for n := 0; ; n++ {
		tid, diff, err := c.next(ctx)
		if err != nil {
			return n, fmt.Errorf("tools: convert: checking what %s already holds: %w", dst.URL(), err)
		}
		if diff != nil {
			return n, fmt.Errorf("tools: convert: %s is not a copy of %s up to its head %s: %s",
				dst.URL(), src.URL(), head, diffText(diff, "the source", "the destination"))
		}
		if tid == 0 {
			return n, nil
		}
	}
}

// diffText words a difference with names for the storages.
func diffText(d *Difference, name1, name2 string) string {
	switch d.OnlyIn {
	case 1:
		return fmt.Sprintf("transaction %s is in %s only", d.Tid, name1)
	case 2:
		return fmt.Sprintf("transaction %s is in %s only", d.Tid, name2)
	}
	return fmt.Sprintf("transaction %s differs: %s", d.Tid, d.What)
}

// txnCopier copies transactions, reusing its buffer of records.
type txnCopier struct {
	recs  []restoreOp
	offs  []int // where each record's data starts in arena
	arena []byte
}

// copyTxn reads all records of a source transaction, then restores it.
func (c *txnCopier) copyTxn(ctx context.Context, dst zodb.Writer, txn *zodb.TxnInfo, dit zodb.DataIterator, st *ConvertStats) error {
	if err := c.collect(ctx, dit); err != nil {
		return err
	}
	rt, err := dst.BeginRestore(ctx, txn)
	if err != nil {
		return err
	}
	for _, r := range c.recs {
		if err := rt.Restore(ctx, r.oid, r.data, r.dataTid); err != nil {
			rt.Abort()
			return fmt.Errorf("obj %s: %w", r.oid, err)
		}
		st.Records++
		st.Bytes += int64(len(r.data))
	}
	if err := rt.Vote(ctx); err != nil {
		rt.Abort()
		return err
	}
	if err := rt.Finish(ctx); err != nil {
		rt.Abort()
		return err
	}
	return nil
}

// collect reads a transaction's records in their order. A record's data
// is copied, as the iterator may reuse it; a backpointer's is not needed.
func (c *txnCopier) collect(ctx context.Context, dit zodb.DataIterator) error {
	c.recs, c.offs, c.arena = c.recs[:0], c.offs[:0], c.arena[:0]
	for {
		di, err := dit.NextData(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		r := restoreOp{oid: di.Oid, dataTid: di.DataTid}
		c.offs = append(c.offs, len(c.arena))
		if di.DataTid == 0 && di.Data != nil {
			c.arena = append(c.arena, di.Data...)
			r.data = []byte{} // placed below, once the arena stopped moving
		}
		c.recs = append(c.recs, r)
	}
	for i := range c.recs {
		if r := &c.recs[i]; r.data != nil {
			end := len(c.arena)
			if i+1 < len(c.offs) {
				end = c.offs[i+1]
			}
			r.data = c.arena[c.offs[i]:end:end]
		}
	}
	return nil
}
