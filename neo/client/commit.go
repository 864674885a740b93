package client

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"sync"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// zeroHash is the checksum of a record without data (NEO's ZERO_HASH).
var zeroHash = make([]byte, sha1.Size)

// errTxnEnded is the error of a use of a transaction after its end.
var errTxnEnded = errors.New("neo: transaction already finished or aborted")

// txn is a transaction being committed, as NEO/py's transactions.py: the
// stores in flight (answers collected at vote), the storages written to
// and the first error.
type txn struct {
	c      *Client
	meta   zodb.TxnMeta
	ttid   zodb.Tid
	ctx    context.Context // ends with the transaction: its asks stop
	cancel context.CancelFunc
	// failed is closed by fail: waits for the cluster give up.
	failed   chan struct{}
	failOnce sync.Once
	// restore is true for a transaction copied with its tid (BeginRestore):
	// its stores retry with the committed serial on a conflict.
	restore bool

	mu struct {
		sync.Mutex
		pending int           // asks in flight
		idle    chan struct{} // closed when pending drops to 0
		err     error         // the first conflict or failure
		stors   map[proto.NID]*link.Link
		oids    []zodb.Oid // stored or checked, in order
		seen    map[zodb.Oid]bool
		queue   []queued // not sent yet
		// revs are the new revisions (nil: deleted), for the cache once
		// committed; nil map when not kept (a restore).
		revs    map[zodb.Oid][]byte
		queued  int // bytes in queue
		deleted []zodb.Oid
		checked []zodb.Oid
		stored  bool // voting began: deadlock notifications are ignored
		voted   bool
		// storVoted: the storages voted (AskStoreTransaction and
		// AskVoteTransaction answered).
		storVoted bool
		ended     bool
		locked    bool // holds the client's commit lock
		// restoreLocked: holds the client's restore lock.
		restoreLocked bool
	}
}

// Begin starts a transaction: AskBeginTransaction to the master for a
// ttid. It waits for a master while there is none, as long as ctx lets.
//
// Errors, wrapped in *zodb.OpError: zodb.ErrReadOnly for a read-only
// client.
func (c *Client) Begin(ctx context.Context, meta zodb.TxnMeta) (zodb.Txn, error) {
	if c.opt.ReadOnly {
		return nil, c.opError("begin", nil, zodb.ErrReadOnly)
	}
	t := c.newTxn(meta)
	if err := t.begin(ctx, proto.NoTid); err != nil {
		t.cancel()
		return nil, c.opError("begin", nil, err)
	}
	return t, nil
}

func (c *Client) newTxn(meta zodb.TxnMeta) *txn {
	t := &txn{c: c, meta: meta, failed: make(chan struct{})}
	t.ctx, t.cancel = context.WithCancel(c.ctx)
	t.mu.stors = map[proto.NID]*link.Link{}
	t.mu.seen = map[zodb.Oid]bool{}
	return t
}

// begin asks the master for the ttid (tid: the one to commit with, or
// NoTid) and registers the transaction for deadlock notifications.
func (t *txn) begin(ctx context.Context, tid zodb.Tid) error {
	// The answer is awaited whatever ctx says: a transaction begun at the
	// master and then forgotten would make it delay every restore.
	var m proto.Msg
	for {
		l, err := t.c.master(ctx)
		if err != nil {
			return err
		}
		m, err = l.Ask(t.c.ctx, &proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: tid})
		if err == nil {
			break
		}
		if l.Err() == nil || ctx.Err() != nil {
			return err
		}
		// Asked again to the next master.
		if err := t.c.waitMasterGone(ctx, l); err != nil {
			return err
		}
	}
	ttid := m.(*proto.TidMsg).Tid
	if ttid == proto.NoTid || (tid != proto.NoTid && ttid != tid) {
		return fmt.Errorf("neo: AskBeginTransaction(%s) answered %s", tid, ttid)
	}
	t.ttid = ttid
	if err := ctx.Err(); err != nil {
		t.Abort()
		return err
	}
	t.c.mu.Lock()
	t.c.mu.txns[ttid] = t
	t.c.mu.Unlock()
	return nil
}

// Store sends the new revision of oid to every writable cell of its
// partition, compressed when that is smaller, without waiting for the
// answers (small transactions send at Vote, see flushBytes). A conflict
// already answered is returned; others come at Vote.
func (t *txn) Store(ctx context.Context, oid zodb.Oid, serial zodb.Tid, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	compression, payload := compress(data, t.c.opt.Compress)
	// Our own copy: sent at Vote maybe, and cached once committed, while
	// the caller may reuse data meanwhile.
	own := append(make([]byte, 0, len(data)), data...)
	if compression == 0 {
		payload = own
	}
	t.keep(oid, own)
	sum := sha1.Sum(payload)
	msg := &proto.AskStoreObject{Oid: oid, Serial: serial, Compression: compression,
		Checksum: sum[:], Data: payload, DataSerial: proto.NoTid, TTid: t.ttid}
	return t.opErr("store", oid, t.write(ctx, oid, msg, false))
}

// Delete stores a deletion of oid. An object that never existed (serial
// 0) cannot be deleted: NEO's storages would accept it.
func (t *txn) Delete(ctx context.Context, oid zodb.Oid, serial zodb.Tid) error {
	if serial == 0 {
		return t.opErr("delete", oid, &zodb.NoObjectError{Oid: oid})
	}
	msg := &proto.AskStoreObject{Oid: oid, Serial: serial, Checksum: zeroHash, Data: []byte{},
		DataSerial: proto.NoTid, TTid: t.ttid}
	t.mu.Lock()
	t.mu.deleted = append(t.mu.deleted, oid)
	t.mu.Unlock()
	t.keep(oid, nil)
	return t.opErr("delete", oid, t.write(ctx, oid, msg, false))
}

// keep records oid's new revision for the cache.
func (t *txn) keep(oid zodb.Oid, data []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.restore {
		return
	}
	if t.mu.revs == nil {
		t.mu.revs = map[zodb.Oid][]byte{}
	}
	t.mu.revs[oid] = data
}

// CheckCurrent asks the cells of oid's partition to check at vote that
// serial is still current (AskCheckCurrentSerial).
func (t *txn) CheckCurrent(ctx context.Context, oid zodb.Oid, serial zodb.Tid) error {
	msg := &proto.AskCheckCurrentSerial{TTid: t.ttid, Oid: oid, Serial: serial}
	t.mu.Lock()
	t.mu.checked = append(t.mu.checked, oid)
	t.mu.Unlock()
	return t.opErr("check current", oid, t.write(ctx, oid, msg, true))
}

func (t *txn) opErr(op string, args any, err error) error {
	if err == nil {
		return nil
	}
	return t.c.opError(op, args, err)
}

// flushBytes is how much store data a transaction queues before sending
// it. Small transactions send their stores at Vote: a store locks its
// object at the storage, and a transaction still being built must not
// keep others from committing (ZODB's optimistic commits expect the
// conflict at vote). Big ones stream their stores as they come.
const flushBytes = 256 << 10

// queued is a store or check waiting to be sent.
type queued struct {
	oid  zodb.Oid
	msg  proto.Msg
	read bool
}

// write queues msg (a store or a check of oid) for the writable cells of
// oid's partition, sending the queue once it is big.
func (t *txn) write(ctx context.Context, oid zodb.Oid, msg proto.Msg, read bool) error {
	t.mu.Lock()
	if err := t.usableLocked(); err != nil {
		t.mu.Unlock()
		return err
	}
	if !t.mu.seen[oid] {
		t.mu.seen[oid] = true
		t.mu.oids = append(t.mu.oids, oid)
	}
	t.mu.queue = append(t.mu.queue, queued{oid, msg, read})
	if x, ok := msg.(*proto.AskStoreObject); ok {
		t.mu.queued += len(x.Data) + 64
	}
	big := t.mu.queued >= flushBytes
	t.mu.Unlock()
	if big {
		return t.flush(ctx)
	}
	return nil
}

// flush sends the queued stores and checks, their answers collected in
// the background. A conflict already answered is returned, as NEO/py
// checks answers after each store.
func (t *txn) flush(ctx context.Context) error {
	t.mu.Lock()
	q := t.mu.queue
	t.mu.queue, t.mu.queued = nil, 0
	t.mu.Unlock()
	if len(q) > 0 {
		v, err := t.ready(ctx)
		if err != nil {
			return err
		}
		for _, w := range q {
			if err := t.send(ctx, v, w); err != nil {
				t.fail(err)
				return err
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mu.err
}

// send sends w to the writable cells of its oid's partition.
func (t *txn) send(ctx context.Context, v *view, w queued) error {
	sent := 0
	var lastErr error
	for _, nid := range writeCells(v, oidPartition(v, w.oid)) {
		l, err := t.c.storage(ctx, v, nid)
		if err != nil {
			lastErr = err
			continue
		}
		t.mu.Lock()
		t.mu.stors[nid] = l
		t.mu.Unlock()
		if err := t.goAsk(l, w.msg, w.oid, w.read); err != nil {
			lastErr = err
			continue
		}
		sent++
	}
	if sent == 0 {
		if lastErr == nil {
			lastErr = fmt.Errorf("no storage available for partition %d", oidPartition(v, w.oid))
		}
		return fmt.Errorf("neo: %s of %s: %w", writeKind(w.read), w.oid, lastErr)
	}
	return nil
}

// usableLocked says why the transaction takes no more changes.
// REQUIRES: mu held.
func (t *txn) usableLocked() error {
	switch {
	case t.mu.ended:
		return errTxnEnded
	case t.mu.stored:
		return errors.New("neo: transaction already voted")
	}
	return t.mu.err
}

// goAsk sends msg to l now, so that the storage gets a transaction's
// packets in the order they were made (an AbortTransaction after every
// store), and collects the answer in the background.
func (t *txn) goAsk(l *link.Link, msg proto.Msg, oid zodb.Oid, read bool) error {
	call, err := l.Start(msg)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.mu.pending++
	t.mu.Unlock()
	go t.collect(func() error { return t.writeAnswer(l, call, msg, oid, read) })
	return nil
}

// collect runs wait, records its error and counts the ask answered.
func (t *txn) collect(wait func() error) {
	err := wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil && t.mu.err == nil {
		t.mu.err = err
	}
	t.mu.pending--
	if t.mu.pending == 0 && t.mu.idle != nil {
		close(t.mu.idle)
		t.mu.idle = nil
	}
}

// writeAnswer waits for the answer to a store or check: nil (the object
// is locked for us), ZERO_TID (a lockless write to a cell being
// replicated), or the serial of the revision the change conflicts with.
func (t *txn) writeAnswer(l *link.Link, call *link.Call, msg proto.Msg, oid zodb.Oid, read bool) error {
	for {
		m, err := call.Wait(t.ctx)
		if err != nil {
			return fmt.Errorf("neo: %s of %s: %w", writeKind(read), oid, err)
		}
		ans, ok := m.(*proto.TidMsg)
		if !ok {
			return fmt.Errorf("neo: %s of %s answered with %v", writeKind(read), oid, m)
		}
		if ans.Tid == proto.NoTid || ans.Tid == 0 {
			return nil
		}
		based := zodb.Tid(0)
		switch x := msg.(type) {
		case *proto.AskStoreObject:
			based = x.Serial
			if t.restore && ans.Tid > x.Serial {
				// A restore is based on whatever is committed.
				y := *x
				y.Serial = ans.Tid
				msg = &y
				if call, err = l.Start(msg); err != nil {
					return fmt.Errorf("neo: store of %s: %w", oid, err)
				}
				continue
			}
		case *proto.AskCheckCurrentSerial:
			based = x.Serial
		}
		return &zodb.ConflictError{Oid: oid, Committed: ans.Tid, Based: based, Read: read}
	}
}

func writeKind(read bool) string {
	if read {
		return "check"
	}
	return "store"
}

// deadlock handles a storage's NotifyDeadlock: a transaction older than
// this one waits for a lock this one holds, so this one asks for the lock
// again (AskRelockObject) to let the older one go first — unless it is
// already voting, when it finishes anyway.
func (t *txn) deadlock(l *link.Link, oid zodb.Oid) {
	t.mu.Lock()
	if t.mu.stored || t.mu.ended {
		t.mu.Unlock()
		return
	}
	t.mu.pending++
	t.mu.Unlock()
	call, err := l.Start(&proto.TidOid{PacketCode: proto.CodeAskRelockObject, TTid: t.ttid, Oid: oid})
	go t.collect(func() error {
		if err != nil {
			return fmt.Errorf("neo: relock of %s: %w", oid, err)
		}
		return t.relockAnswer(call, oid)
	})
}

func (t *txn) relockAnswer(call *link.Call, oid zodb.Oid) error {
	m, err := call.Wait(t.ctx)
	if err != nil {
		return fmt.Errorf("neo: relock of %s: %w", oid, err)
	}
	ans, ok := m.(*proto.AnswerRelockObject)
	if !ok {
		return fmt.Errorf("neo: relock of %s answered with %v", oid, m)
	}
	if ans.Conflict == nil {
		return nil
	}
	return &zodb.ConflictError{Oid: oid, Committed: ans.Conflict.ConflictSerial, Based: ans.Conflict.Serial}
}

// fail records err as the transaction's error (a lost master, a failed
// store) and stops its asks.
func (t *txn) fail(err error) {
	t.mu.Lock()
	if t.mu.err == nil {
		t.mu.err = err
	}
	t.mu.Unlock()
	t.failOnce.Do(func() { close(t.failed) })
}

// ready is Client.ready, giving up when the transaction fails (its
// master link broke: it cannot commit any more).
func (t *txn) ready(ctx context.Context) (*view, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(t.ctx, cancel)
	defer stop()
	go func() {
		select {
		case <-t.failed:
			cancel()
		case <-ctx.Done():
		}
	}()
	v, err := t.c.ready(ctx)
	if err != nil {
		t.mu.Lock()
		if t.mu.err != nil {
			err = t.mu.err
		}
		t.mu.Unlock()
	}
	return v, err
}

// waitAnswers sends what is queued and waits until every ask is
// answered; it then marks the transaction as voting so that no relock
// starts any more.
func (t *txn) waitAnswers(ctx context.Context) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	for {
		t.mu.Lock()
		if t.mu.pending == 0 {
			t.mu.stored = true
			err := t.mu.err
			t.mu.Unlock()
			return err
		}
		if t.mu.idle == nil {
			t.mu.idle = make(chan struct{})
		}
		ch := t.mu.idle
		t.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
