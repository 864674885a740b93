package storage

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// The transaction manager follows NEO/py's neo/storage/transactions.py:
// transactions being committed are known by their ttid; a store takes a
// write lock on its oid after checking the base serial against the last
// committed revision; a younger transaction finding the lock held waits,
// an older one asks the lock holder to relock (deadlock avoidance).

// errDelay says a request must wait for a lock and be retried.
var errDelay = errors.New("storage: delayed")

// errNonReadable is NEO/py's NonReadableCell: the partition is not served
// readably by this node.
var errNonReadable = errors.New("storage: non readable cell")

// errNotRegistered: the transaction is unknown (aborted meanwhile).
var errNotRegistered = errors.New("storage: transaction not registered")

// conflictError reports the serial that conflicts with a store's base.
type conflictError struct{ tid zodb.Tid }

func (e *conflictError) Error() string { return fmt.Sprintf("storage: conflict with %s", e.tid) }

// protocolError is answered with PROTOCOL_ERROR and closes the connection.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

// storeRec is one object stored by a transaction (NEO/py's store_dict
// entry). The data is kept until the vote to give it back with
// AnswerRelockObject (NEO/py reads it back from the database).
type storeRec struct {
	dataID      int64
	valueSerial zodb.Tid // undo backpointer; NoTid otherwise
	compression byte
	checksum    [20]byte
	data        []byte
	hasData     bool
}

// txn is a transaction being committed on this node.
type txn struct {
	ttid  zodb.Tid
	tid   zodb.Tid // NoTid until locked
	owner *peer    // the client that stored (for NotifyDeadlock)
	voted int      // 0: not voted, 1: objects only, 2: with metadata
	// serials: base serial of every oid stored or checked.
	serials map[zodb.Oid]zodb.Tid
	stores  map[zodb.Oid]*storeRec
	// lockless: oids stored without a lock (partition out of date).
	lockless map[zodb.Oid]bool
	// deadlock: oids for which NotifyDeadlock was sent to owner.
	deadlock map[zodb.Oid]bool
}

func (t *txn) locked() bool { return t.tid != proto.NoTid }

// txnManager holds the transactions and the object locks.
// REQUIRES: the node lock held for every method.
type txnManager struct {
	db  backend.Backend
	log *slog.Logger
	// partition returns oid's partition; readable and assigned tell the
	// state of this node's cell of a partition.
	partition func(zodb.Oid) uint32
	readable  func(uint32) bool
	assigned  func(uint32) bool
	// replicating tells the partitions whose stores go without a lock:
	// ours, out of date, not replicated yet.
	replicating func(uint32) bool
	// ended is called when a transaction ended (unlocked or aborted).
	ended func()
	// committed is told of the objects of each unlocked transaction.
	committed func(map[zodb.Oid]*storeRec)
	// notifyDeadlock sends NotifyDeadlock(ttid, oid) to owner.
	notifyDeadlock func(owner *peer, ttid zodb.Tid, oid zodb.Oid)

	txns       map[zodb.Tid]*txn
	storeLocks map[zodb.Oid]zodb.Tid // write locks: oid -> ttid
	loadLocks  map[zodb.Oid]zodb.Tid // between lock and unlock: oid -> ttid
	queue      eventQueue            // delayed stores, checks, relocks
	readQueue  eventQueue            // delayed reads
}

func newTxnManager(db backend.Backend, log *slog.Logger) *txnManager {
	return &txnManager{
		db:          db,
		log:         log,
		partition:   func(zodb.Oid) uint32 { return 0 },
		readable:    func(uint32) bool { return true },
		assigned:    func(uint32) bool { return true },
		replicating: func(uint32) bool { return false },
		ended:       func() {},
		txns:        map[zodb.Tid]*txn{},
		storeLocks:  map[zodb.Oid]zodb.Tid{},
		loadLocks:   map[zodb.Oid]zodb.Tid{},
	}
}

// register makes ttid known (again) for owner.
func (tm *txnManager) register(owner *peer, ttid zodb.Tid) *txn {
	t := tm.txns[ttid]
	if t == nil {
		t = &txn{
			ttid: ttid, tid: proto.NoTid, owner: owner,
			serials:  map[zodb.Oid]zodb.Tid{},
			stores:   map[zodb.Oid]*storeRec{},
			lockless: map[zodb.Oid]bool{},
			deadlock: map[zodb.Oid]bool{},
		}
		tm.txns[ttid] = t
	}
	return t
}

// lockObject takes the write lock of oid for ttid after checking that
// serial is its last committed revision. It returns false when the store
// is accepted without a lock, errDelay to wait, a *conflictError, or
// errNonReadable.
func (tm *txnManager) lockObject(ttid, serial zodb.Tid, oid zodb.Oid) (bool, error) {
	t := tm.txns[ttid]
	p := tm.partition(oid)
	if tm.replicating(p) {
		// Out of date: another, readable, cell checks for conflicts.
		t.lockless[oid] = true
		return false, nil
	}
	var prev zodb.Tid
	if locked, ok := tm.storeLocks[oid]; ok {
		other := tm.txns[locked]
		if locked < ttid || other.voted > 0 {
			// Younger than the holder (or the holder voted, so no
			// deadlock is possible): wait for its end.
			return false, errDelay
		}
		if t.lockless[oid] {
			return false, nil
		}
		if other != t {
			// Older than the holder, which may wait for a lock we
			// hold: ask it to relock, keeping its lock meanwhile.
			if other.lockless[oid] {
				t.lockless[oid] = true
				return false, nil
			}
			if !other.deadlock[oid] {
				other.deadlock[oid] = true
				tm.log.Info("deadlock", "oid", oid, "ttid", ttid, "locked_by", locked)
				if tm.notifyDeadlock != nil {
					tm.notifyDeadlock(other.owner, locked, oid)
				}
			}
			return false, errDelay
		}
		// A second store of oid by the same transaction: after an undo
		// the base must be the undo's.
		s := t.stores[oid]
		if s == nil || s.valueSerial == proto.NoTid {
			return true, nil
		}
		prev = s.valueSerial
	} else {
		// Out of date but replicated: the data to check is here.
		if !tm.readable(p) && !tm.assigned(p) {
			return false, errNonReadable
		}
		var err error
		prev, err = tm.db.LastObjectTid(oid)
		if err != nil {
			return false, err
		}
	}
	if prev != proto.NoTid && prev != serial {
		tm.log.Info("conflict", "oid", oid, "ttid", ttid, "serial", serial, "last", prev)
		return false, &conflictError{prev}
	}
	tm.storeLocks[oid] = ttid
	return true, nil
}

// storeObject stores an object revision in ttid and answers what
// AnswerStoreObject carries: NoTid when locked, ZeroTid when accepted
// without a lock, or (as err) a conflict or a delay.
func (tm *txnManager) storeObject(ttid, serial zodb.Tid, oid zodb.Oid, compression byte, checksum [20]byte, data []byte, hasData bool, valueSerial zodb.Tid) (zodb.Tid, error) {
	t := tm.txns[ttid]
	if t == nil {
		return 0, errNotRegistered
	}
	locked, err := tm.lockObject(ttid, serial, oid)
	if err != nil {
		return 0, err
	}
	if _, ok := t.serials[oid]; ok {
		if err := tm.unstore(t, oid); err != nil {
			return 0, err
		}
	}
	t.serials[oid] = serial
	rec := &storeRec{dataID: backend.NoData, valueSerial: valueSerial, compression: compression,
		checksum: checksum, data: data, hasData: hasData}
	if hasData {
		rec.dataID, err = tm.db.StoreData(checksum, compression, data, oid)
		if err != nil {
			return 0, err
		}
	}
	t.stores[oid] = rec
	if !locked {
		return 0, nil
	}
	return proto.NoTid, nil
}

// checkCurrentSerial locks oid for ttid checking serial (readCurrent).
func (tm *txnManager) checkCurrentSerial(ttid zodb.Tid, oid zodb.Oid, serial zodb.Tid) (zodb.Tid, error) {
	t := tm.txns[ttid]
	if t == nil {
		return 0, errNotRegistered
	}
	locked, err := tm.lockObject(ttid, serial, oid)
	if err != nil {
		return 0, err
	}
	t.serials[oid] = serial
	if !locked {
		return 0, nil
	}
	return proto.NoTid, nil
}

// relockObject serves AskRelockObject: with unlock, the lock is first
// released so that the younger transaction waiting for it can go. It
// returns the conflict to send back, with the stored data the client may
// no longer have.
func (tm *txnManager) relockObject(ttid zodb.Tid, oid zodb.Oid, unlock bool) (*proto.RelockConflict, error) {
	t := tm.txns[ttid]
	if t == nil {
		return nil, nil
	}
	serial, ok := t.serials[oid]
	if !ok {
		return nil, nil
	}
	if unlock {
		delete(t.deadlock, oid)
		if tm.storeLocks[oid] == ttid {
			delete(tm.storeLocks, oid)
		}
		tm.queue.execute()
	}
	_, err := tm.lockObject(ttid, serial, oid)
	var c *conflictError
	if errors.As(err, &c) {
		rc := &proto.RelockConflict{Serial: serial, ConflictSerial: c.tid}
		if s := t.stores[oid]; s != nil && s.hasData && s.data != nil {
			rc.Data = &proto.ObjectData{Compression: int64(s.compression), Checksum: s.checksum[:], Data: s.data}
		}
		if err := tm.unstore(t, oid); err != nil {
			return nil, err
		}
		return rc, nil
	}
	return nil, err
}

// unstore forgets oid in t, releasing its data.
func (tm *txnManager) unstore(t *txn, oid zodb.Oid) error {
	if s := t.stores[oid]; s != nil {
		delete(t.stores, oid)
		if s.dataID != backend.NoData {
			if err := tm.releaseData([]int64{s.dataID}); err != nil {
				return err
			}
		}
	}
	delete(t.serials, oid)
	return nil
}

// dataReleaser is what a backend may offer to drop data stored by
// StoreData that no object references (NEO/py's releaseData with prune).
type dataReleaser interface {
	ReleaseData(ids []int64) error
}

func (tm *txnManager) releaseData(ids []int64) error {
	if r, ok := tm.db.(dataReleaser); ok {
		return r.ReleaseData(ids)
	}
	return nil
}

// vote stores ttid's objects (and with meta its metadata) in the
// temporary tables.
func (tm *txnManager) vote(ttid zodb.Tid, meta *backend.Txn) error {
	t := tm.txns[ttid]
	if t == nil {
		return &protocolError{"unknown ttid " + ttid.String()}
	}
	if meta != nil {
		if len(meta.Oids) >= 0x200000 {
			return &protocolError{"Too many modified OIDs (the default storage backend has a limitation of 2^21-1)"}
		}
		t.voted = 2
	} else {
		t.voted = 1
	}
	objs := make([]backend.TempObject, 0, len(t.stores))
	for oid, s := range t.stores {
		objs = append(objs, backend.TempObject{Oid: oid, DataID: s.dataID, ValueTid: s.valueSerial})
	}
	// No commit here: the lock commits it durably (NEO/py commits at
	// vote, without syncing by default); a vote lost in a crash only
	// makes the commit fail.
	if err := tm.db.StoreTransaction(ttid, objs, meta); err != nil {
		return err
	}
	// A voted transaction is never asked to relock: the data kept for
	// AnswerRelockObject can go, so memory holds only transactions
	// being stored.
	for _, s := range t.stores {
		s.data = nil
	}
	return nil
}

// lock gives ttid its tid and makes the transaction durable; loads of
// its objects wait until unlock.
func (tm *txnManager) lock(ttid, tid zodb.Tid) error {
	t := tm.txns[ttid]
	if t == nil {
		return &protocolError{"unknown ttid " + ttid.String()}
	}
	if t.locked() {
		return &protocolError{"transaction " + ttid.String() + " already locked"}
	}
	if tid < ttid {
		return &protocolError{fmt.Sprintf("tid %s < ttid %s", tid, ttid)}
	}
	t.tid = tid
	for oid := range t.stores {
		tm.loadLocks[oid] = ttid
	}
	if t.voted == 0 {
		return &protocolError{"lock of transaction " + ttid.String() + " not voted"}
	}
	// NEO/py locks in the database only where the metadata is (voted 2),
	// its vote having committed the objects elsewhere. The backend commits
	// a vote without syncing: lock everywhere, so that what the master is
	// told is locked is on disk (without metadata the lock changes no
	// row, and recovery sees the objects as NEO/py's would).
	return tm.db.LockTransaction(tid, ttid)
}

// unlock moves ttid into the committed tables and releases its locks.
func (tm *txnManager) unlock(ttid zodb.Tid) error {
	t := tm.txns[ttid]
	if t == nil {
		return &protocolError{"unknown ttid " + ttid.String()}
	}
	if !t.locked() {
		return &protocolError{"unlock of transaction " + ttid.String() + " not locked"}
	}
	if err := tm.db.UnlockTransaction(t.tid, ttid); err != nil {
		return err
	}
	// Commit now: readers on other connections must see the revisions
	// as soon as the load locks go.
	if err := tm.db.Commit(); err != nil {
		return err
	}
	if tm.committed != nil {
		tm.committed(t.stores)
	}
	return tm.abort(ttid, true)
}

// finalTID is the tid of ttid if locked here (NoTid when not).
func (tm *txnManager) finalTID(ttid zodb.Tid) (zodb.Tid, bool) {
	if t := tm.txns[ttid]; t != nil {
		return t.tid, true
	}
	return proto.NoTid, false
}

// abort forgets ttid: its temporary rows unless locked (a locked
// transaction is only dropped by unlock, evenIfLocked), its locks; then
// retries what waited for them.
func (tm *txnManager) abort(ttid zodb.Tid, evenIfLocked bool) error {
	t := tm.txns[ttid]
	if t == nil {
		return nil
	}
	locked := t.locked()
	if locked && !evenIfLocked {
		return nil
	}
	var err error
	if !locked {
		err = tm.db.AbortTransaction(ttid)
		var ids []int64
		for _, s := range t.stores {
			if s.dataID != backend.NoData {
				ids = append(ids, s.dataID)
			}
		}
		if err == nil && len(ids) > 0 {
			err = tm.releaseData(ids)
		}
		if err == nil {
			err = tm.db.Commit()
		}
	}
	for oid := range t.serials {
		if locked && tm.loadLocks[oid] == ttid {
			delete(tm.loadLocks, oid)
		}
		if tm.storeLocks[oid] == ttid {
			delete(tm.storeLocks, oid)
		}
	}
	delete(tm.txns, ttid)
	tm.readQueue.execute()
	tm.queue.execute()
	tm.ended()
	return err
}

// locklessIn reports whether a pending transaction stored in partition p
// without a lock.
func (tm *txnManager) locklessIn(p uint32) bool {
	for _, t := range tm.txns {
		for oid := range t.lockless {
			if tm.partition(oid) == p {
				return true
			}
		}
	}
	return false
}

// abortFor aborts the transactions of owner not locked; voted ones only
// with evenIfVoted (the master said the client is gone).
func (tm *txnManager) abortFor(owner *peer, nid proto.NID, evenIfVoted bool) error {
	var first error
	for ttid, t := range tm.txns {
		if (owner != nil && t.owner == owner || owner == nil && t.owner != nil && t.owner.nid == nid) &&
			(evenIfVoted || t.voted == 0) {
			if err := tm.abort(ttid, false); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// loadLocked reports whether loads of oid must wait for an unlock.
func (tm *txnManager) loadLocked(oid zodb.Oid) bool {
	_, ok := tm.loadLocks[oid]
	return ok
}

// lockedTid reports whether a transaction with tid <= tid is locked but
// not unlocked (iteration up to tid must wait).
func (tm *txnManager) lockedTid(tid zodb.Tid) bool {
	for _, t := range tm.txns {
		if t.locked() && t.tid <= tid {
			return true
		}
	}
	return false
}

// discarded forgets what pending transactions stored in partitions this
// node no longer holds (NEO/py's TransactionManager.discarded): their
// locks go, waiting requests are retried.
func (tm *txnManager) discarded(partitions map[uint32]bool) error {
	if len(partitions) == 0 {
		return nil
	}
	gone := func(oid zodb.Oid) bool { return partitions[tm.partition(oid)] }
	for oid := range tm.storeLocks {
		if gone(oid) {
			delete(tm.storeLocks, oid)
		}
	}
	for oid := range tm.loadLocks {
		if gone(oid) {
			delete(tm.loadLocks, oid)
		}
	}
	var ids []int64
	for _, t := range tm.txns {
		for oid := range t.serials {
			if !gone(oid) {
				continue
			}
			delete(t.serials, oid)
			delete(t.lockless, oid)
			if s := t.stores[oid]; s != nil {
				delete(t.stores, oid)
				if s.dataID != backend.NoData {
					ids = append(ids, s.dataID)
				}
			}
		}
	}
	var err error
	if len(ids) > 0 {
		err = tm.releaseData(ids)
	}
	tm.queue.execute()
	tm.readQueue.execute()
	return err
}
