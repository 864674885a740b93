package fs1

import (
	"context"
	"fmt"
	"slices"

	"github.com/zodbneo/zodbneo/zodb"
)

// The two-phase commit, as Python's FileStorage does it: Vote writes the
// whole transaction after the last one with the status 'c' (checkpoint),
// Finish rewrites that one byte to ' ' (or the restored status), waits for
// the disk, and only then makes the transaction visible. Readers in other
// processes, ours and Python's, stop at a 'c' transaction, and a
// read-write open cuts one off: a crash at any point leaves either the
// whole transaction committed or none of it.

// writeStep names the points of a commit where tests crash the process.
type writeStep int

const (
	stepVoteWrite writeStep = iota // before the transaction is written; b is what will be
	stepVoted                      // written with the status 'c'
	stepStatus                     // status byte rewritten, before the sync
	stepFinished                   // synced, before the transaction is visible
)

// writeHook, when set (by tests only), is called at each step of a commit.
var writeHook func(step writeStep, pos int64, b []byte)

func hook(step writeStep, pos int64, b []byte) {
	if writeHook != nil {
		writeHook(step, pos, b)
	}
}

// Begin starts a new transaction with the given metadata.
//
// Errors, wrapped in *zodb.OpError: zodb.ErrReadOnly for a read-only
// storage; the storage is closed or broken; metadata too long for the
// format (65535 bytes each).
func (fs *FileStorage) Begin(ctx context.Context, meta zodb.TxnMeta) (zodb.Txn, error) {
	h := TxnHeader{Status: zodb.TxnComplete, User: meta.User, Description: meta.Description, Extension: meta.Extension}
	t, err := fs.begin(false, h)
	if err != nil {
		return nil, &zodb.OpError{URL: fs.url, Op: "begin", Err: err}
	}
	return &commitTxn{t}, nil
}

// begin checks that a transaction may start and makes it, with copies of
// h's metadata.
func (fs *FileStorage) begin(restore bool, h TxnHeader) (*txn, error) {
	if fs.w == nil {
		return nil, zodb.ErrReadOnly
	}
	if err := fs.w.usable(); err != nil {
		return nil, err
	}
	if err := CheckTxnMeta(h.User, h.Description, h.Extension); err != nil {
		return nil, err
	}
	h.User, h.Description, h.Extension = slices.Clone(h.User), slices.Clone(h.Description), slices.Clone(h.Extension)
	return newTxn(fs, restore, h), nil
}

// commitTxn is FileStorage's zodb.Txn.
type commitTxn struct{ *txn }

// Store records data as the new revision of oid, based on serial. A
// change based on another revision than the current one is refused here
// already, as Python's store refuses it (there is no conflict resolution),
// and again at Vote. data is copied.
//
// Errors: a *zodb.ConflictError; empty data; the transaction voted or
// ended.
func (t *commitTxn) Store(ctx context.Context, oid zodb.Oid, serial zodb.Tid, data []byte) error {
	if len(data) == 0 {
		return t.fail("store", oid, errEmptyData)
	}
	return t.change("store", oid, serial, data, false)
}

// Delete records that oid is deleted, based on revision serial, as
// Python's deleteObject.
//
// Errors: a *zodb.NoObjectError when oid does not exist, a
// *zodb.ConflictError; the transaction voted or ended.
func (t *commitTxn) Delete(ctx context.Context, oid zodb.Oid, serial zodb.Tid) error {
	return t.change("delete", oid, serial, nil, true)
}

func (t *commitTxn) change(op string, oid zodb.Oid, serial zodb.Tid, data []byte, del bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txnOpen {
		return t.fail(op, oid, errState(op, t.state))
	}
	r := txnRec{oid: oid, check: true, del: del, based: serial}
	if err := t.early(&r); err != nil {
		return t.fail(op, oid, err)
	}
	t.add(r, data, 0)
	t.fs.w.sawOid(oid)
	return nil
}

// early checks r against the committed state now, and notes what it saw
// so that Vote need not read it again if nothing changed.
func (t *commitTxn) early(r *txnRec) error {
	pos, tid, err := t.fs.current(r.oid)
	if err != nil {
		return err
	}
	r.seenPos, r.seenTid = pos, tid
	return t.fs.checkRec(r, pos)
}

// CheckCurrent asks Vote to fail with a read *zodb.ConflictError unless
// serial is still oid's current revision (0 for an oid that does not
// exist), as Python's checkCurrentSerialInTransaction. A revision already
// replaced fails now.
func (t *commitTxn) CheckCurrent(ctx context.Context, oid zodb.Oid, serial zodb.Tid) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txnOpen {
		return t.fail("check current", oid, errState("CheckCurrent", t.state))
	}
	r := txnRec{oid: oid, check: true, read: true, based: serial}
	if err := t.early(&r); err != nil {
		return t.fail("check current", oid, err)
	}
	t.checks = append(t.checks, r)
	return nil
}

// Vote takes the commit lock, waiting for it as long as ctx allows,
// checks every change and read against the committed state, gives the
// transaction its tid (zodb.TidAfter the head and the clock, as ZODB's)
// and writes it after the last transaction with the status 'c'. With
// SyncVote it waits for the disk.
//
// Errors: a *zodb.ConflictError, a *zodb.NoObjectError for a deletion of
// an object that is gone; ctx's error; a write error (the disk is full),
// after which the file is as it was. The commit lock is released when
// Vote fails.
func (t *commitTxn) Vote(ctx context.Context) error { return t.vote(ctx) }

// Finish rewrites the status byte, waits for the disk (unless SyncNone)
// and makes the transaction visible to Load, Iterate and History. It
// returns the transaction's tid.
//
// Errors: the transaction did not vote, or was aborted (by Close); a
// write error, after which the transaction is cut off the file; a failed
// sync, after which the storage takes no more commits (Python closes it):
// whether the transaction reached the disk is then unknown.
func (t *commitTxn) Finish(ctx context.Context) (zodb.Tid, error) {
	if err := t.finish(); err != nil {
		return 0, err
	}
	return t.head.Tid, nil
}

// Abort drops the transaction. A voted one is cut off the file and the
// commit lock released.
func (t *commitTxn) Abort() { t.abort() }

// fail wraps the error of an operation on oid.
func (t *txn) fail(op string, oid zodb.Oid, err error) error {
	return &zodb.OpError{URL: t.fs.url, Op: op, Args: oid, Err: err}
}

func (t *txn) vote(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txnOpen {
		return t.failTxn("vote", errState("Vote", t.state))
	}
	w := t.fs.w
	if err := w.usable(); err != nil {
		return t.failTxn("vote", err)
	}
	if err := w.lockCommit(ctx); err != nil {
		return t.failTxn("vote", err)
	}
	if err := t.voteLocked(); err != nil {
		w.unlockCommit()
		return t.failTxn("vote", err)
	}
	t.state = txnVoted
	w.mu.Lock()
	w.mu.voted = t
	w.mu.Unlock()
	return nil
}

func (t *txn) failTxn(op string, err error) error {
	var args any
	if t.head.Tid != 0 {
		args = t.head.Tid
	}
	return &zodb.OpError{URL: t.fs.url, Op: op, Args: args, Err: err}
}

// voteLocked checks and writes the transaction. REQUIRES: commit lock.
func (t *txn) voteLocked() error {
	fs, w := t.fs, t.fs.w
	if err := w.usable(); err != nil { // closed while we waited
		return err
	}
	pos, last, prev, cprev := fs.positions(t)
	for i := range t.recs {
		if r := &t.recs[i]; r.check {
			if err := fs.checkRec(r, prev[i]); err != nil {
				return err
			}
		}
	}
	for i := range t.checks {
		if err := fs.checkRec(&t.checks[i], cprev[i]); err != nil {
			return err
		}
	}
	if err := t.setTid(last); err != nil {
		return err
	}
	if err := t.build(pos, prev); err != nil {
		return err
	}
	if err := w.writeTxn(pos, t.buf); err != nil {
		return fmt.Errorf("fs1: %s: write transaction @%d: %w", fs.path, pos, err)
	}
	t.pos = pos
	return nil
}

// positions returns where the next transaction goes, the last committed
// tid, and the current record of the oid of each record and check of t.
// REQUIRES: commit lock, so that they stay current.
func (fs *FileStorage) positions(t *txn) (pos int64, last zodb.Tid, prev, cprev []int64) {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	get := func(oid zodb.Oid) int64 {
		p, _ := fs.mu.index.Get(oid)
		return p
	}
	prev = make([]int64, len(t.recs))
	for i, r := range t.recs {
		prev[i] = get(r.oid)
	}
	cprev = make([]int64, len(t.checks))
	for i, r := range t.checks {
		cprev[i] = get(r.oid)
	}
	return fs.mu.scan.pos, fs.mu.scan.last, prev, cprev
}

// setTid gives a new transaction its tid after the last committed one
// (and any cut off at open), or checks that a restored one's follows it.
func (t *txn) setTid(last zodb.Tid) error {
	w := t.fs.w
	if t.restore {
		if t.head.Tid <= last {
			return fmt.Errorf("fs1: restore %s, head %s: %w", t.head.Tid, last, zodb.ErrTidOrder)
		}
		return nil
	}
	w.mu.Lock()
	floor := max(w.mu.tidFloor, last)
	w.mu.Unlock()
	tid := w.newTid(floor)
	if tid <= floor || tid > zodb.TidMax {
		return fmt.Errorf("fs1: no tid left after %s", floor)
	}
	t.head.Tid = tid
	return nil
}

// writeTxn writes the voted transaction b at pos, the end of the last
// committed one. On failure it cuts the file back to pos, as Python's
// tpc_vote does ("we don't want any turd at the end"). REQUIRES: commit
// lock.
func (w *writer) writeTxn(pos int64, b []byte) error {
	if w.end != pos {
		// An earlier abort could not cut its transaction off.
		if err := w.cut(pos); err != nil {
			return err
		}
	}
	hook(stepVoteWrite, pos, b)
	if err := w.writeAt(b, pos); err != nil {
		w.cut(pos)
		return err
	}
	w.end = pos + int64(len(b))
	hook(stepVoted, pos, b)
	if w.sync == SyncVote {
		if err := w.datasync(); err != nil {
			w.cut(pos)
			return err
		}
	}
	return nil
}

// cut truncates the file at pos, dropping a voted transaction. A failure
// is logged and leaves end as it was, for the next Vote to retry.
// REQUIRES: commit lock.
func (w *writer) cut(pos int64) error {
	if err := w.file.Truncate(pos); err != nil {
		w.log.Error(fmt.Sprintf("fs1: %s: cannot cut the file back to %d: %v", w.file.Name(), pos, err))
		return err
	}
	w.end = pos
	return nil
}

func (t *txn) finish() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != txnVoted {
		return t.failTxn("finish", errState("Finish", t.state))
	}
	fs, w := t.fs, t.fs.w
	defer t.release()
	if err := w.writeAt([]byte{byte(t.head.Status)}, t.pos+txnOffStatus); err != nil {
		w.cut(t.pos)
		return t.failTxn("finish", fmt.Errorf("fs1: %s: write status @%d: %w", fs.path, t.pos, err))
	}
	hook(stepStatus, t.pos, nil)
	if w.sync != SyncNone {
		if err := w.datasync(); err != nil {
			// Whether the status byte reached the disk is unknown:
			// like Python, which closes the storage, take no more
			// commits.
			w.mu.Lock()
			w.mu.broken = err
			w.mu.Unlock()
			return t.failTxn("finish", fmt.Errorf("fs1: %s: %w", fs.path, err))
		}
	}
	hook(stepFinished, t.pos, nil)
	fs.publish(t)
	t.freeBuf()
	return nil
}

// publish makes the finished transaction t visible.
func (fs *FileStorage) publish(t *txn) {
	end := t.pos + int64(len(t.buf))
	tid := t.head.Tid
	fs.file.setSize(end)
	fs.mu.Lock()
	for _, r := range t.recs {
		fs.mu.index.Set(r.oid, t.pos+int64(r.off))
	}
	s := &fs.mu.scan
	s.pos, s.last, s.head = end, tid, tid
	fs.mu.index.TopPos = end
	fs.mu.dirty = true
	fs.mu.Unlock()
	w := fs.w
	w.mu.Lock()
	w.mu.tidFloor = max(w.mu.tidFloor, tid)
	w.mu.Unlock()
}

// release ends a voted transaction: it gives the commit lock back.
// REQUIRES: t.mu held, t voted.
func (t *txn) release() {
	w := t.fs.w
	t.state = txnDone
	w.mu.Lock()
	w.mu.voted = nil
	w.mu.Unlock()
	w.unlockCommit()
}

func (t *txn) abort() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == txnVoted {
		t.fs.w.cut(t.pos)
		t.release()
	}
	t.state = txnDone
	t.freeBuf()
}
