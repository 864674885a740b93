package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// Vote waits for the answers of every store and check (reporting the
// first conflict), asks the cells of the ttid's partition to store the
// transaction's metadata (AskStoreTransaction) and the other storages
// written to to vote (AskVoteTransaction), then takes the client's commit
// lock, held until Finish or Abort. A Vote that failed waiting for the
// lock (ctx ended) may be called again.
//
// Nothing is awaited holding the lock: a store may wait at a storage for
// another transaction of this client to end.
func (t *txn) Vote(ctx context.Context) error {
	return t.opErr("vote", nil, t.vote(ctx))
}

func (t *txn) vote(ctx context.Context) error {
	t.mu.Lock()
	switch {
	case t.mu.ended:
		t.mu.Unlock()
		return errTxnEnded
	case t.mu.voted:
		t.mu.Unlock()
		return nil
	}
	t.mu.Unlock()
	if err := t.waitAnswers(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	storVoted := t.mu.storVoted
	t.mu.Unlock()
	if !storVoted {
		if err := t.voteStorages(ctx); err != nil {
			return err
		}
		t.mu.Lock()
		t.mu.storVoted = true
		t.mu.Unlock()
	}
	// The storages voted in parallel with other transactions; the lock
	// is what Finish needs (and what zodb.Writer promises from Vote on).
	if err := t.lock(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.ended {
		return errTxnEnded
	}
	t.mu.voted = true
	return t.mu.err
}

// lock takes the client's commit lock for t, once.
func (t *txn) lock(ctx context.Context) error {
	t.mu.Lock()
	held := t.mu.locked
	t.mu.Unlock()
	if held {
		return nil
	}
	return t.acquire(ctx, t.c.commitLock, &t.mu.locked)
}

// acquire takes lock (a channel of capacity 1) for t and sets *held,
// unless ctx or t ends first; end releases it.
func (t *txn) acquire(ctx context.Context, lock chan struct{}, held *bool) error {
	select {
	case lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-t.ctx.Done():
		return errTxnEnded
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.ended {
		<-lock
		return errTxnEnded
	}
	*held = true
	return nil
}

// voteStorages sends AskStoreTransaction and AskVoteTransaction and waits
// for all answers.
func (t *txn) voteStorages(ctx context.Context) error {
	v, err := t.ready(ctx)
	if err != nil {
		return err
	}
	t.mu.Lock()
	oids := append([]zodb.Oid(nil), t.mu.oids...)
	stors := make(map[proto.NID]*link.Link, len(t.mu.stors))
	for nid, l := range t.mu.stors {
		stors[nid] = l
	}
	t.mu.Unlock()
	storeTxn := &proto.AskStoreTransaction{TTid: t.ttid, User: t.meta.User, Description: t.meta.Description,
		Extension: t.meta.Extension, Oids: oids}
	type ask struct {
		l   *link.Link
		msg proto.Msg
	}
	var asks []ask
	metaNids := writeCells(v, v.pt.TidPartition(t.ttid))
	if len(metaNids) == 0 {
		return fmt.Errorf("neo: no storage available for the metadata of %s", t.ttid)
	}
	for _, nid := range metaNids {
		l := stors[nid]
		if l == nil {
			if l, err = t.c.storage(ctx, v, nid); err != nil {
				return err
			}
			t.mu.Lock()
			t.mu.stors[nid] = l
			t.mu.Unlock()
		}
		asks = append(asks, ask{l, storeTxn})
		delete(stors, nid)
	}
	for _, l := range stors {
		asks = append(asks, ask{l, &proto.TidMsg{PacketCode: proto.CodeAskVoteTransaction, Tid: t.ttid}})
	}
	errs := make([]error, len(asks))
	var wg sync.WaitGroup
	for i, a := range asks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := a.l.Ask(ctx, a.msg); err != nil {
				errs[i] = fmt.Errorf("neo: vote at %v: %w", a.l.RemoteAddr(), err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Finish asks the master to commit (AskFinishTransaction) and returns the
// tid. Should the master link break meanwhile, the outcome is asked
// again from the next master (AskFinalTID), as NEO/py does.
func (t *txn) Finish(ctx context.Context) (zodb.Tid, error) {
	tid, err := t.finish(ctx)
	if err != nil {
		return 0, t.opErr("finish", nil, err)
	}
	return tid, nil
}

func (t *txn) finish(ctx context.Context) (zodb.Tid, error) {
	t.mu.Lock()
	if t.mu.ended {
		t.mu.Unlock()
		return 0, errTxnEnded
	}
	voted := t.mu.voted
	t.mu.Unlock()
	if !voted {
		if err := t.vote(ctx); err != nil {
			return 0, err
		}
	}
	c := t.c
	v, err := t.ready(ctx)
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	if t.mu.ended {
		t.mu.Unlock()
		return 0, errTxnEnded
	}
	if err := t.mu.err; err != nil {
		// The master was lost since Begin: as NEO/py, do not finish.
		t.mu.Unlock()
		t.Abort()
		return 0, err
	}
	msg := t.finishMsgLocked(v)
	written := append(append([]zodb.Oid(nil), msg.Oids...), t.mu.deleted...)
	revs := t.mu.revs
	t.mu.Unlock()

	// Until the tid is known, nothing of these objects may be cached:
	// an invalidation of a later commit could move head past it first.
	c.cache.holdInserts(true)
	defer c.cache.holdInserts(false)
	c.cache.forget(written)
	c.ev.hold()
	defer c.ev.release()

	tid, err := t.askFinish(ctx, v, msg)
	if err != nil {
		t.Abort()
		return 0, err
	}
	c.cache.invalidate(tid, written)
	c.cache.committed(tid, revs)
	c.mu.Lock()
	c.wakeLocked()
	c.mu.Unlock()
	c.ev.emit(zodb.CommitEvent{Tid: tid, Oids: written})
	t.end()
	return tid, nil
}

// finishMsgLocked builds AskFinishTransaction as NEO/py's tpc_finish: the
// oids written but not deleted, the partitions of deleted and of checked
// oids. REQUIRES: t.mu held.
func (t *txn) finishMsgLocked(v *view) *proto.AskFinishTransaction {
	skip := map[zodb.Oid]bool{}
	for _, oid := range t.mu.checked {
		skip[oid] = true
	}
	deleted := map[zodb.Oid]bool{}
	for _, oid := range t.mu.deleted {
		deleted[oid] = true
	}
	msg := &proto.AskFinishTransaction{TTid: t.ttid, Oids: []zodb.Oid{}, Deleted: []uint32{}, Checked: []uint32{}}
	for _, oid := range t.mu.oids {
		if !skip[oid] && !deleted[oid] {
			msg.Oids = append(msg.Oids, oid)
		}
	}
	for _, oid := range t.mu.deleted {
		msg.Deleted = append(msg.Deleted, oidPartition(v, oid))
	}
	for _, oid := range t.mu.checked {
		msg.Checked = append(msg.Checked, oidPartition(v, oid))
	}
	return msg
}

// askFinish sends AskFinishTransaction; if the link to the master breaks
// before the answer, it asks the next master AskFinalTID.
func (t *txn) askFinish(ctx context.Context, v *view, msg *proto.AskFinishTransaction) (zodb.Tid, error) {
	if err := v.master.l.Err(); err != nil {
		// Not sent: the transaction did not commit.
		return 0, fmt.Errorf("neo: connection to the primary master %s lost: %w", v.master.addr, err)
	}
	// Once asked, the commit happens or not whatever the caller's
	// context: wait for the answer (or the link's end) to know which.
	m, err := v.master.l.Ask(t.c.ctx, msg)
	if err == nil {
		ans, ok := m.(*proto.TidPair)
		if !ok || ans.TTid != t.ttid || ans.Tid == proto.NoTid {
			return 0, fmt.Errorf("neo: AskFinishTransaction answered with %v", m)
		}
		return ans.Tid, nil
	}
	if ctx.Err() != nil {
		return 0, err
	}
	if _, ok := err.(*link.ErrorAnswer); ok {
		return 0, err
	}
	// The master went away: the transaction may have committed.
	final := &proto.TidMsg{PacketCode: proto.CodeAskFinalTID, Tid: t.ttid}
	for {
		m, ferr := t.c.askMaster(ctx, final)
		if ferr != nil {
			if _, ok := ferr.(*link.ErrorAnswer); ok || ctx.Err() != nil {
				return 0, fmt.Errorf("neo: finish %s: %w (outcome unknown: %w)", t.ttid, err, ferr)
			}
			continue
		}
		tid := m.(*proto.TidMsg).Tid
		if tid == proto.MaxTid {
			// Committed; only the storages know the tid.
			m, ferr = t.c.askRead(ctx, v.pt.TidPartition(t.ttid), final)
			if ferr != nil {
				return 0, fmt.Errorf("neo: finish %s: %w (outcome unknown: %w)", t.ttid, err, ferr)
			}
			tid = m.(*proto.TidMsg).Tid
		}
		if tid == proto.NoTid || tid == 0 {
			return 0, fmt.Errorf("neo: finish %s: %w (not committed)", t.ttid, err)
		}
		return tid, nil
	}
}

// Abort drops the transaction: AbortTransaction to the storages written
// to, then to the master with their list, as NEO/py's tpc_abort.
func (t *txn) Abort() {
	t.mu.Lock()
	if t.mu.ended {
		t.mu.Unlock()
		return
	}
	nids := make([]proto.NID, 0, len(t.mu.stors))
	for nid, l := range t.mu.stors {
		l.Notify(&proto.AbortTransaction{TTid: t.ttid, NIDs: []proto.NID{}})
		nids = append(nids, nid)
	}
	t.mu.Unlock()
	if t.ttid != 0 {
		if v := t.c.view.Load(); v.master != nil {
			v.master.l.Notify(&proto.AbortTransaction{TTid: t.ttid, NIDs: nids})
		}
	}
	t.end()
}

// lockRestore takes the client's restore lock for t: one transaction
// with a given tid at a time.
func (t *txn) lockRestore(ctx context.Context) error {
	return t.acquire(ctx, t.c.restoreLock, &t.mu.restoreLocked)
}

// end marks t ended, stops its asks and releases its locks.
func (t *txn) end() {
	t.mu.Lock()
	if t.mu.ended {
		t.mu.Unlock()
		return
	}
	t.mu.ended = true
	locked, rlocked := t.mu.locked, t.mu.restoreLocked
	t.mu.locked, t.mu.restoreLocked = false, false
	t.mu.Unlock()
	t.cancel()
	if locked {
		<-t.c.commitLock
	}
	if rlocked {
		<-t.c.restoreLock
	}
	t.c.mu.Lock()
	if t.c.mu.txns[t.ttid] == t {
		delete(t.c.mu.txns, t.ttid)
	}
	t.c.mu.Unlock()
}
