package storage

import (
	"crypto/sha1"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/neo/storage/sqlite"
	"github.com/zodbneo/zodbneo/zodb"
)

// openTestDB opens a fresh SQLite database holding every partition of a
// one-partition table on S1.
func openTestDB(t testing.TB) backend.Backend {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SetName("test"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNID(1); err != nil {
		t.Fatal(err)
	}
	pt := &backend.PartitionTable{PTid: 1, NumPartitions: 1, Cells: []backend.Cell{{Partition: 0, NID: 1, State: proto.UpToDate}}}
	if err := db.SetPartitionTable(pt, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	return db
}

var discardLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// tmFixture is a transaction manager over a real database, recording the
// deadlock notifications it sends.
type tmFixture struct {
	t        *testing.T
	tm       *txnManager
	deadlock []deadlockNote
}

type deadlockNote struct {
	owner *peer
	ttid  zodb.Tid
	oid   zodb.Oid
}

func newTMFixture(t *testing.T) *tmFixture {
	f := &tmFixture{t: t, tm: newTxnManager(openTestDB(t), discardLog)}
	f.tm.notifyDeadlock = func(owner *peer, ttid zodb.Tid, oid zodb.Oid) {
		f.deadlock = append(f.deadlock, deadlockNote{owner, ttid, oid})
	}
	return f
}

func (f *tmFixture) store(owner *peer, ttid zodb.Tid, oid zodb.Oid, serial zodb.Tid, data string) (zodb.Tid, error) {
	f.tm.register(owner, ttid)
	return f.tm.storeObject(ttid, serial, oid, 0, sha1.Sum([]byte(data)), []byte(data), true, proto.NoTid)
}

// commit votes (with metadata), locks and unlocks ttid as tid.
func (f *tmFixture) commit(ttid, tid zodb.Tid) {
	f.t.Helper()
	t := f.tm.txns[ttid]
	var oids []zodb.Oid
	for oid := range t.stores {
		oids = append(oids, oid)
	}
	if err := f.tm.vote(ttid, &backend.Txn{Tid: proto.NoTid, TTid: ttid, Oids: oids}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.tm.lock(ttid, tid); err != nil {
		f.t.Fatal(err)
	}
	if err := f.tm.unlock(ttid); err != nil {
		f.t.Fatal(err)
	}
}

func wantTid(t *testing.T, what string, got zodb.Tid, err error, want zodb.Tid) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got != want {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
}

func wantConflict(t *testing.T, what string, err error, want zodb.Tid) {
	t.Helper()
	var c *conflictError
	if !errors.As(err, &c) || c.tid != want {
		t.Fatalf("%s: got %v, want conflict with %s", what, err, want)
	}
}

func TestStoreLockUnlock(t *testing.T) {
	f := newTMFixture(t)
	c1 := &peer{nid: -0x20<<24 + 1}
	tid, err := f.store(c1, 10, 1, 0, "one")
	wantTid(t, "store new object", tid, err, proto.NoTid)
	f.commit(10, 11)
	if f.tm.loadLocked(1) || len(f.tm.txns) != 0 || len(f.tm.storeLocks) != 0 {
		t.Fatalf("state left after unlock: %v %v", f.tm.txns, f.tm.storeLocks)
	}
	last, err := f.tm.db.LastObjectTid(1)
	wantTid(t, "last serial", last, err, 11)
	o, err := f.tm.db.Object(1, proto.NoTid, proto.NoTid)
	if err != nil || string(o.Data) != "one" || o.Serial != 11 {
		t.Fatalf("load after commit: %+v, %v", o, err)
	}

	// A store based on an old serial conflicts with the last one.
	_, err = f.store(c1, 20, 1, 0, "two")
	wantConflict(t, "store on old serial", err, 11)
	tid, err = f.store(c1, 20, 1, 11, "two")
	wantTid(t, "store on last serial", tid, err, proto.NoTid)
	// Between lock and unlock, loads wait.
	if err := f.tm.vote(20, &backend.Txn{Tid: proto.NoTid, TTid: 20, Oids: []zodb.Oid{1}}); err != nil {
		t.Fatal(err)
	}
	if err := f.tm.lock(20, 21); err != nil {
		t.Fatal(err)
	}
	if !f.tm.loadLocked(1) || !f.tm.lockedTid(21) || f.tm.lockedTid(20) {
		t.Fatal("no load lock between lock and unlock")
	}
	if err := f.tm.unlock(20); err != nil {
		t.Fatal(err)
	}
	if f.tm.loadLocked(1) {
		t.Fatal("load lock left after unlock")
	}
}

func TestAbortReleases(t *testing.T) {
	f := newTMFixture(t)
	c1, c2 := &peer{nid: 1}, &peer{nid: 2}
	tid, err := f.store(c1, 10, 1, 0, "a")
	wantTid(t, "store", tid, err, proto.NoTid)
	// A younger transaction waits for the lock.
	_, err = f.store(c2, 20, 1, 0, "b")
	if !errors.Is(err, errDelay) {
		t.Fatalf("younger store: got %v, want delay", err)
	}
	var retried zodb.Tid = 1
	var rerr error
	f.tm.queue.add(event{key: 20, keyed: true, run: func() bool {
		retried, rerr = f.store(c2, 20, 1, 0, "b")
		return !errors.Is(rerr, errDelay)
	}})
	if err := f.tm.abort(10, false); err != nil {
		t.Fatal(err)
	}
	wantTid(t, "retried store after abort", retried, rerr, proto.NoTid)
	if f.tm.queue.len() != 0 || f.tm.storeLocks[1] != 20 {
		t.Fatalf("after abort: queue %d, lock %v", f.tm.queue.len(), f.tm.storeLocks)
	}
	// abortFor drops the client's transactions that did not vote.
	if err := f.tm.abortFor(c2, c2.nid, false); err != nil {
		t.Fatal(err)
	}
	if len(f.tm.txns) != 0 || len(f.tm.storeLocks) != 0 {
		t.Fatalf("abortFor left %v %v", f.tm.txns, f.tm.storeLocks)
	}
	if _, err := f.tm.db.Object(1, proto.NoTid, proto.NoTid); !errors.Is(err, backend.ErrOidDoesNotExist) {
		t.Fatalf("aborted data visible: %v", err)
	}
}

// TestDeadlockAvoidance replays NEO/py's scenario: a younger transaction
// holds a lock an older one needs; the storage asks the younger to relock
// (NotifyDeadlock), the relock gives the lock to the older one, and the
// younger, once the older committed, gets its conflict with its data back.
func TestDeadlockAvoidance(t *testing.T) {
	f := newTMFixture(t)
	c1, c2 := &peer{nid: 1}, &peer{nid: 2}
	// Base revision of oid 1.
	_, err := f.store(c1, 5, 1, 0, "base")
	if err != nil {
		t.Fatal(err)
	}
	f.commit(5, 6)

	tid, err := f.store(c2, 20, 1, 6, "young")
	wantTid(t, "younger store", tid, err, proto.NoTid)
	// The older transaction: delayed, and the younger told to relock.
	_, err = f.store(c1, 10, 1, 6, "old")
	if !errors.Is(err, errDelay) {
		t.Fatalf("older store: got %v, want delay", err)
	}
	if len(f.deadlock) != 1 || f.deadlock[0] != (deadlockNote{c2, 20, 1}) {
		t.Fatalf("deadlock notifications: %+v", f.deadlock)
	}
	var oldTid zodb.Tid = 1
	f.tm.queue.add(event{key: 10, keyed: true, run: func() bool {
		var err error
		oldTid, err = f.store(c1, 10, 1, 6, "old")
		return !errors.Is(err, errDelay)
	}})
	// A second try of the older one does not notify again.
	if _, err := f.tm.lockObject(10, 6, 1); !errors.Is(err, errDelay) || len(f.deadlock) != 1 {
		t.Fatalf("second lock attempt: %v, %d notifications", err, len(f.deadlock))
	}

	// The younger relocks: the older gets the lock, the younger waits.
	c, err := f.tm.relockObject(20, 1, true)
	if !errors.Is(err, errDelay) || c != nil {
		t.Fatalf("relock: %v, %v; want delay", c, err)
	}
	if oldTid != proto.NoTid || f.tm.storeLocks[1] != 10 {
		t.Fatalf("older store after relock: %s, lock by %s", oldTid, f.tm.storeLocks[1])
	}
	f.commit(10, 30)
	c, err = f.tm.relockObject(20, 1, false)
	if err != nil || c == nil {
		t.Fatalf("relock after the older committed: %v, %v; want a conflict", c, err)
	}
	sum := sha1.Sum([]byte("young"))
	if c.Serial != 6 || c.ConflictSerial != 30 || c.Data == nil || string(c.Data.Data) != "young" || string(c.Data.Checksum) != string(sum[:]) {
		t.Fatalf("relock conflict: %+v %+v", c, c.Data)
	}
	// The younger resolves and stores again on the new serial.
	tid, err = f.store(c2, 20, 1, 30, "resolved")
	wantTid(t, "store after resolution", tid, err, proto.NoTid)
	f.commit(20, 31)
	o, err := f.tm.db.Object(1, proto.NoTid, proto.NoTid)
	if err != nil || string(o.Data) != "resolved" || o.Serial != 31 {
		t.Fatalf("final revision: %+v, %v", o, err)
	}
}

// A holder that voted makes an older transaction wait, not relock: it
// cannot be waiting for a lock anymore.
func TestVotedHolderDelays(t *testing.T) {
	f := newTMFixture(t)
	c1, c2 := &peer{nid: 1}, &peer{nid: 2}
	if _, err := f.store(c2, 20, 1, 0, "young"); err != nil {
		t.Fatal(err)
	}
	if err := f.tm.vote(20, nil); err != nil {
		t.Fatal(err)
	}
	_, err := f.store(c1, 10, 1, 0, "old")
	if !errors.Is(err, errDelay) || len(f.deadlock) != 0 {
		t.Fatalf("older store against a voted holder: %v, %d notifications", err, len(f.deadlock))
	}
}

func TestCheckCurrentSerial(t *testing.T) {
	f := newTMFixture(t)
	c1 := &peer{nid: 1}
	if _, err := f.store(c1, 5, 1, 0, "x"); err != nil {
		t.Fatal(err)
	}
	f.commit(5, 6)
	f.tm.register(c1, 10)
	_, err := f.tm.checkCurrentSerial(10, 1, 3)
	wantConflict(t, "check of an old serial", err, 6)
	f.tm.register(c1, 11)
	tid, err := f.tm.checkCurrentSerial(11, 1, 6)
	wantTid(t, "check of the last serial", tid, err, proto.NoTid)
	if f.tm.storeLocks[1] != 11 {
		t.Fatal("check did not lock")
	}
	if _, err := f.tm.checkCurrentSerial(99, 1, 6); !errors.Is(err, errNotRegistered) {
		t.Fatalf("check by unknown transaction: %v", err)
	}
}

func TestEventQueueOrder(t *testing.T) {
	var q eventQueue
	var order []zodb.Tid
	block := true
	for _, k := range []zodb.Tid{30, 10, 20, 10} {
		k := k
		q.add(event{key: k, keyed: true, run: func() bool {
			if block {
				return false
			}
			order = append(order, k)
			return true
		}})
	}
	q.execute()
	if q.len() != 4 {
		t.Fatalf("blocked events ran: %d left", q.len())
	}
	block = false
	q.execute()
	if q.len() != 0 || len(order) != 4 || order[0] != 10 || order[1] != 10 || order[2] != 20 || order[3] != 30 {
		t.Fatalf("order %v, %d left", order, q.len())
	}
}

func TestDiscardedPartition(t *testing.T) {
	f := newTMFixture(t)
	f.tm.partition = func(oid zodb.Oid) uint32 { return uint32(oid % 2) }
	c1, c2 := &peer{nid: 1}, &peer{nid: 2}
	if _, err := f.store(c1, 10, 1, 0, "odd"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store(c1, 10, 2, 0, "even"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store(c2, 20, 1, 0, "waits"); !errors.Is(err, errDelay) {
		t.Fatalf("younger store: %v", err)
	}
	if err := f.tm.discarded(map[uint32]bool{1: true}); err != nil {
		t.Fatal(err)
	}
	tx := f.tm.txns[10]
	if _, ok := f.tm.storeLocks[1]; ok || tx.stores[1] != nil || tx.stores[2] == nil || f.tm.storeLocks[2] != 10 {
		t.Fatalf("after discarding partition 1: locks %v, stores %v", f.tm.storeLocks, tx.stores)
	}
}
