package tools

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/zodbneo/zodbneo/zodb"
)

// CommitOptions tune Commit. The zero value is fine.
type CommitOptions struct {
	// Name is the input's name in error messages ("<stdin>").
	Name string
}

// commitHeader is the txn line zodbtools' commit puts before its input,
// so that the input reads as a dump transaction; tid 0 asks for a new tid.
const commitHeader = "txn 0000000000000000 \" \"\n"

// Commit commits a new transaction into w, as zodbtools' commit does, and
// returns its tid. r holds the transaction in the dump format without its
// "txn" line: user, description and extension lines, obj entries, an
// empty line, and nothing after it.
//
// at is the database state the caller based its changes on: each stored
// or deleted object is checked not to have changed since at (a
// *zodb.ConflictError otherwise). "obj <oid> from <tid>" stores a copy of
// the data of the revision current at <tid>. Hash-only entries cannot be
// committed.
//
// Errors: a *DumpError naming the line for a malformed input, the
// storage's errors (ErrReadOnly, *ConflictError, ...) otherwise.
func Commit(ctx context.Context, w zodb.Writer, at zodb.Tid, r io.Reader, opt *CommitOptions) (zodb.Tid, error) {
	if opt == nil {
		opt = &CommitOptions{}
	}
	d := NewDumpReader(io.MultiReader(strings.NewReader(commitHeader), r), opt.Name)
	d.line = -1 // the header is not the caller's
	t, err := d.readTxn()
	if err == io.EOF {
		err = &DumpError{Name: opt.Name, Line: 0, Err: fmt.Errorf("no transaction")}
	}
	if err != nil {
		return 0, fmt.Errorf("tools: commit: %w", err)
	}
	if _, err := d.r.Peek(1); err == nil {
		return 0, fmt.Errorf("tools: commit: %w", &DumpError{Name: opt.Name, Line: d.line + 1,
			Err: fmt.Errorf("garbage after transaction")})
	}
	tid, line, err := commitTxn(ctx, w, at, t)
	if err != nil {
		return 0, fmt.Errorf("tools: commit @%s: %s+%d: %w", at, opt.Name, line, err)
	}
	return tid, nil
}

// commitOp is one change of a transaction to commit.
type commitOp struct {
	oid    zodb.Oid
	serial zodb.Tid // the object's revision at the base state
	data   []byte   // nil: delete
}

// commitTxn commits t's changes as a new transaction based on at. The
// serials and copied data are looked up before the transaction begins. On
// error it returns the dump line it concerns.
func commitTxn(ctx context.Context, w zodb.Writer, at zodb.Tid, t *DumpTxn) (zodb.Tid, int, error) {
	ops := make([]commitOp, 0, len(t.Objs))
	for i := range t.Objs {
		o := &t.Objs[i]
		op := commitOp{oid: o.Oid}
		switch o.Kind {
		case DumpData:
			if o.HashOnly {
				return 0, o.Line, fmt.Errorf("obj %s: a hash-only entry cannot be committed: it has no data", o.Oid)
			}
			op.data = o.Data
		case DumpCopy:
			// zodbtools copies the data rather than pointing back
			data, _, err := loadCopy(ctx, w, o)
			if err != nil {
				return 0, o.Line, err
			}
			op.data = data
		}
		serial, err := serialAt(ctx, w, o.Oid, at)
		if err != nil {
			return 0, o.Line, err
		}
		op.serial = serial
		ops = append(ops, op)
	}
	return commitOps(ctx, w, t, ops)
}

func commitOps(ctx context.Context, w zodb.Writer, t *DumpTxn, ops []commitOp) (zodb.Tid, int, error) {
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: t.User, Description: t.Description, Extension: t.Extension})
	if err != nil {
		return 0, t.Line, err
	}
	for i, op := range ops {
		if op.data == nil {
			err = txn.Delete(ctx, op.oid, op.serial)
		} else {
			err = txn.Store(ctx, op.oid, op.serial, op.data)
		}
		if err != nil {
			txn.Abort()
			return 0, t.Objs[i].Line, fmt.Errorf("obj %s: %w", op.oid, err)
		}
	}
	if err := txn.Vote(ctx); err != nil {
		txn.Abort()
		return 0, t.Line, err
	}
	tid, err := txn.Finish(ctx)
	if err != nil {
		txn.Abort()
		return 0, t.Line, err
	}
	return tid, 0, nil
}

// serialAt returns the revision of oid current at `at`: 0 when the object
// does not exist there or is deleted, as zodbtools' _serial_at says (the
// storage then decides whether that conflicts).
func serialAt(ctx context.Context, stor zodb.Storage, oid zodb.Oid, at zodb.Tid) (zodb.Tid, error) {
	_, serial, err := stor.Load(ctx, zodb.Xid{At: at, Oid: oid})
	if zodb.IsNoData(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("obj %s: %w", oid, err)
	}
	return serial, nil
}
