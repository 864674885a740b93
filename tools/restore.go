package tools

import (
	"context"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// RestoreOptions tune Restore. The zero value is fine.
type RestoreOptions struct {
	// Name is the input's name in error messages ("<stdin>").
	Name string
	// Restored, when set, is called with the tid of every transaction once
	// it is committed: zodbtools' restore prints it.
	Restored func(tid zodb.Tid)
	// Progress, when set, is told now and then how many bytes of the
	// input were read, of InputSize (-1 when InputSize is 0: unknown).
	Progress  func(done, total int64)
	InputSize int64
}

// Restore reads a dump from r (zodbtools' format, as Dump writes it) and
// commits each of its transactions into w with its tid, status and
// metadata, as zodbtools' restore does. "obj <oid> from <tid>" becomes a
// backpointer to the revision written by <tid> when w has one (an undo
// record, as FileStorage's restore writes it), else a copy of the data of
// the revision current at <tid>; "obj <oid> delete" a deletion.
//
// Each transaction is read whole and checked — syntax, sizes, hashes, tids
// growing, no hash-only entries, data for every copy — before anything of
// it is given to w, so a dump cut short or damaged leaves w with every
// transaction before the bad one committed and nothing of that one.
//
// Errors name the dump's line: a *DumpError for the dump itself, the
// storage's error (ErrReadOnly, ErrTidOrder for a tid not after w's head,
// ...) with the transaction otherwise.
func Restore(ctx context.Context, w zodb.Writer, r io.Reader, opt *RestoreOptions) error {
	if opt == nil {
		opt = &RestoreOptions{}
	}
	total := opt.InputSize
	if total <= 0 {
		total = -1
	}
	d := NewDumpReader(r, opt.Name)
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("tools: restore: %w", err)
		}
		if opt.Progress != nil && n%progressEvery == 0 {
			opt.Progress(d.Offset(), total)
		}
		t, err := d.readTxn()
		if err == io.EOF {
			if opt.Progress != nil {
				opt.Progress(d.Offset(), max(total, d.Offset()))
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("tools: restore: %w", err)
		}
		if line, err := restoreTxn(ctx, w, t); err != nil {
			return fmt.Errorf("tools: restore: %s+%d: txn %s: %w", opt.Name, line, t.Tid, err)
		}
		if opt.Restored != nil {
			opt.Restored(t.Tid)
		}
	}
}

// restoreOp is one record to restore, as RestoreTxn.Restore takes it.
type restoreOp struct {
	oid     zodb.Oid
	data    []byte
	dataTid zodb.Tid
}

// restoreTxn restores t into w: its records are all worked out — copies
// looked up — before the transaction begins, so that a failure leaves
// nothing behind. On error it returns the dump line it concerns.
func restoreTxn(ctx context.Context, w zodb.Writer, t *DumpTxn) (line int, err error) {
	ops := make([]restoreOp, 0, len(t.Objs))
	for i := range t.Objs {
		o := &t.Objs[i]
		op := restoreOp{oid: o.Oid}
		switch o.Kind {
		case DumpData:
			if o.HashOnly {
				return o.Line, fmt.Errorf("obj %s: a hash-only entry cannot be restored: it has no data", o.Oid)
			}
			op.data = o.Data
		case DumpCopy:
			data, serial, err := loadCopy(ctx, w, o)
			if err != nil {
				return o.Line, err
			}
			// FileStorage's restore writes a backpointer when the
			// transaction copied from holds a record of the object,
			// and the data otherwise.
			if serial == o.CopyFrom {
				op.dataTid = serial
			} else {
				op.data = data
			}
		}
		ops = append(ops, op)
	}
	rt, err := w.BeginRestore(ctx, &t.TxnInfo)
	if err != nil {
		return t.Line, err
	}
	for i, op := range ops {
		if err := rt.Restore(ctx, op.oid, op.data, op.dataTid); err != nil {
			rt.Abort()
			return t.Objs[i].Line, fmt.Errorf("obj %s: %w", op.oid, err)
		}
	}
	if err := rt.Vote(ctx); err != nil {
		rt.Abort()
		return t.Line, err
	}
	if err := rt.Finish(ctx); err != nil {
		rt.Abort()
		return t.Line, err
	}
	return 0, nil
}

// loadCopy loads the revision of an obj entry's object current at its
// CopyFrom, as zodbtools' commit does for "from" entries.
func loadCopy(ctx context.Context, stor zodb.Storage, o *DumpObj) ([]byte, zodb.Tid, error) {
	data, serial, err := stor.Load(ctx, zodb.Xid{At: o.CopyFrom, Oid: o.Oid})
	if zodb.IsNoData(err) {
		return nil, 0, fmt.Errorf("obj %s: copy from @%s: no data: %w", o.Oid, o.CopyFrom, err)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("obj %s: copy from @%s: %w", o.Oid, o.CopyFrom, err)
	}
	return data, serial, nil
}
