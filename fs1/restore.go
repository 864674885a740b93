package fs1

import (
	"bytes"
	"context"
	"fmt"

	"github.com/zodbneo/zodbneo/zodb"
)

// BeginRestore starts copying the transaction info from another storage,
// as Python's tpc_begin with a tid and status followed by restore calls:
// its tid, status and metadata are kept. A zero status is taken as ' '.
//
// Errors, wrapped in *zodb.OpError: zodb.ErrReadOnly; an error wrapping
// zodb.ErrTidOrder when info.Tid is not after the head (checked again at
// Vote); a status other than ' ', 'p' or 'u'; metadata too long.
func (fs *FileStorage) BeginRestore(ctx context.Context, info *zodb.TxnInfo) (zodb.RestoreTxn, error) {
	t, err := fs.beginRestore(info)
	if err != nil {
		return nil, &zodb.OpError{URL: fs.url, Op: "begin restore", Args: info.Tid, Err: err}
	}
	return &restoreTxn{t}, nil
}

func (fs *FileStorage) beginRestore(info *zodb.TxnInfo) (*txn, error) {
	st := info.Status
	switch st {
	case 0:
		st = zodb.TxnComplete
	case zodb.TxnComplete, zodb.TxnPacked, zodb.TxnUndone:
	default:
		return nil, fmt.Errorf("fs1: cannot restore a transaction with status %q", byte(st))
	}
	h := TxnHeader{Tid: info.Tid, Status: st, User: info.User, Description: info.Description, Extension: info.Extension}
	t, err := fs.begin(true, h)
	if err != nil {
		return nil, err
	}
	if head := fs.Head(); info.Tid <= head {
		return nil, fmt.Errorf("fs1: restore %s, head %s: %w", info.Tid, head, zodb.ErrTidOrder)
	}
	return t, nil
}

// restoreTxn is FileStorage's zodb.RestoreTxn.
type restoreTxn struct{ *txn }

// Restore records oid's record as the source has it, as Python's restore:
//
//   - dataTid != 0: the revision of oid written by transaction dataTid is
//     looked for; when found, the record is a backpointer to it, unless
//     data is given and differs from that revision's own data. When not
//     found (packed away), the record holds data, or is a deletion when
//     data is nil (an undo of a creation).
//   - dataTid == 0: data, or a deletion when data is nil.
//
// No conflict is checked. data is copied.
//
// Errors: data of length 0 (not nil); dataTid not before the transaction;
// a corrupt record on the way to the revision; the transaction voted or
// ended.
func (t *restoreTxn) Restore(ctx context.Context, oid zodb.Oid, data []byte, dataTid zodb.Tid) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.restoreRec(oid, data, dataTid); err != nil {
		return t.fail("restore", oid, err)
	}
	return nil
}

func (t *restoreTxn) restoreRec(oid zodb.Oid, data []byte, dataTid zodb.Tid) error {
	if t.state != txnOpen {
		return errState("Restore", t.state)
	}
	if data != nil && len(data) == 0 {
		return errEmptyData
	}
	var back int64
	if dataTid != 0 {
		if dataTid >= t.head.Tid {
			return fmt.Errorf("fs1: backpointer to %s, not before the transaction", dataTid)
		}
		var err error
		if back, err = t.fs.findRevision(oid, dataTid, data); err != nil {
			return err
		}
	}
	if back != 0 {
		data = nil
	}
	t.add(txnRec{oid: oid}, data, back)
	t.fs.w.sawOid(oid)
	return nil
}

// findRevision returns the position of the record of oid written by tid,
// or 0 when there is none or, data being given, it has other data of its
// own (Python's _data_find, which trusts a record that is itself a
// backpointer).
func (fs *FileStorage) findRevision(oid zodb.Oid, tid zodb.Tid, data []byte) (int64, error) {
	f, pos, ok := fs.lookup(oid)
	if !ok {
		return 0, nil
	}
	var buf [DataHeaderLen + backPtrLen]byte
	var h DataHeader
	if _, err := f.revisionAt(&h, pos, zodb.Xid{At: tid, Oid: oid}, buf[:]); err != nil {
		if zodb.IsNoData(err) {
			return 0, nil
		}
		return 0, err
	}
	if h.Tid != tid {
		return 0, nil
	}
	if h.DataLen == 0 || data == nil {
		return h.Pos, nil
	}
	if h.DataLen != int64(len(data)) {
		fs.w.log.Error(fmt.Sprintf("Mismatch between data and backpointer at %d", h.Pos))
		return 0, nil
	}
	own, err := f.ReadData(&h)
	if err != nil {
		return 0, err
	}
	if !bytes.Equal(own, data) {
		return 0, nil
	}
	return h.Pos, nil
}

// Vote checks that the tid follows the head and writes the transaction
// as commitTxn.Vote does.
func (t *restoreTxn) Vote(ctx context.Context) error { return t.vote(ctx) }

// Finish makes the transaction visible, with its status, as
// commitTxn.Finish does.
func (t *restoreTxn) Finish(ctx context.Context) error { return t.finish() }

// Abort drops the transaction.
func (t *restoreTxn) Abort() { t.abort() }
