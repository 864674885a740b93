package master

import (
	"fmt"
	"slices"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// txn is a transaction being committed (NEO/py's master Transaction).
type txn struct {
	client    *node // nil once the client is gone after asking to finish
	readiness int   // storage readiness when it began
	ttid      zodb.Tid
	tid       zodb.Tid // 0 until AskFinishTransaction
	oids      []zodb.Oid
	parts     []uint32 // partitions to invalidate (backup clients)
	req       link.Request
	involved  map[proto.NID]bool
	locking   map[proto.NID]bool // storages yet to lock it
	failed    map[proto.NID]bool // storages that failed the vote
	notify    map[proto.NID]bool // nodes waiting for it to finish
	notifyReq map[proto.NID]link.Request
	pack      bool
}

// txnManager is NEO/py's TransactionManager: ttids and tids, oids, and
// the queue that makes transactions finish in tid order.
type txnManager struct {
	byTTid   map[zodb.Tid]*txn
	queue    []zodb.Tid // ttids of transactions being finished, tids increasing
	lastOID  zodb.Oid
	firstTID zodb.Tid
	firstSet bool // firstTID was set by the first commit since reset
	delayed  []func() bool
}

func newTxnManager() *txnManager {
	tm := &txnManager{}
	tm.reset()
	return tm
}

func (tm *txnManager) reset() {
	tm.byTTid = map[zodb.Tid]*txn{}
	tm.queue = nil
	tm.lastOID = 0
	tm.firstTID = proto.MaxTid
	tm.firstSet = false
	tm.delayed = nil
}

func (tm *txnManager) hasPending() bool { return len(tm.byTTid) > 0 }

// delay queues an event to run again by executeQueued; it returns true
// once done (NEO/py's DelayEvent and EventQueue).
func (tm *txnManager) delay(f func() bool) { tm.delayed = append(tm.delayed, f) }

func (tm *txnManager) executeQueued() {
	q := tm.delayed
	tm.delayed = nil
	for i, f := range q {
		if !f() {
			tm.delayed = append(tm.delayed, q[i:]...)
			break
		}
	}
}

func (tm *txnManager) setLastOID(oid zodb.Oid) {
	if oid != proto.NoOid && oid > tm.lastOID {
		tm.lastOID = oid
	}
}

func (tm *txnManager) setFirstTID(tid zodb.Tid) {
	if tid != proto.NoTid && tid < tm.firstTID {
		tm.firstTID = tid
	}
}

// nextOIDs allocates n consecutive oids after the last one.
func (tm *txnManager) nextOIDs(n uint32) []zodb.Oid {
	oids := make([]zodb.Oid, n)
	for i := range oids {
		oids[i] = tm.lastOID + 1 + zodb.Oid(i)
	}
	if n > 0 {
		tm.lastOID = oids[n-1]
	}
	return oids
}

// lastTID is the last tid given (ttid or tid) or committed.
func (tm *txnManager) lastTID(lastCommitted zodb.Tid) zodb.Tid {
	if len(tm.byTTid) == 0 {
		return lastCommitted
	}
	var max zodb.Tid
	for ttid := range tm.byTTid {
		if ttid > max {
			max = ttid
		}
	}
	if len(tm.queue) > 0 {
		if t := tm.byTTid[tm.queue[len(tm.queue)-1]]; t.tid != 0 && t.tid > max {
			max = t.tid
		}
	}
	return max
}

// errBeginWithTID is NEO/py's BeginWithTIDError.
const errBeginWithTID = "There can't be concurrent transactions when a TID is specified for any of them."

// begin gives a new ttid, or accepts the tid a client gives (imports:
// then no other transaction may run). The error is a protocol error.
func (tm *txnManager) begin(m *Master, client *node, tid zodb.Tid) (zodb.Tid, error) {
	if tid == proto.NoTid {
		if len(tm.byTTid) == 1 && len(tm.queue) == 1 {
			for _, t := range tm.byTTid {
				if t.tid == 0 {
					return 0, fmt.Errorf("%s", errBeginWithTID)
				}
			}
		}
		tid = nextTID(tm.lastTID(m.lastTransaction), 0, false, 0)
	} else if len(tm.byTTid) > 0 {
		return 0, fmt.Errorf("%s", errBeginWithTID)
	} else if tid <= m.lastTransaction {
		return 0, fmt.Errorf("new TID must be greater than the last committed one")
	} else {
		tm.queue = append(tm.queue, tid)
	}
	tm.byTTid[tid] = &txn{client: client, readiness: m.storageReadiness, ttid: tid, notify: map[proto.NID]bool{}, notifyReq: map[proto.NID]link.Request{}}
	return tid, nil
}

func (tm *txnManager) get(ttid zodb.Tid) (*txn, error) {
	t := tm.byTTid[ttid]
	if t == nil {
		return nil, fmt.Errorf("unknown ttid %s", ttid)
	}
	return t, nil
}

func (tm *txnManager) remove(ttid zodb.Tid) {
	if i := slices.Index(tm.queue, ttid); i >= 0 {
		tm.queue = slices.Delete(tm.queue, i, i+1)
	}
	delete(tm.byTTid, ttid)
	tm.executeQueued()
}

// errDelay asks to retry the event later.
type errDelay struct{}

func (errDelay) Error() string { return "delayed" }

// vote checks a transaction whose vote failed on some storages: it may
// still commit if the cluster stays operational without them.
func (tm *txnManager) vote(m *Master, ttid zodb.Tid, nids []proto.NID) (bool, error) {
	t, err := tm.get(ttid)
	if err != nil {
		return false, err
	}
	ready := m.storageReadySet(t.readiness)
	failed := map[proto.NID]bool{}
	for _, nid := range nids {
		if ready[nid] {
			failed[nid] = true
		}
	}
	if len(failed) == 0 {
		return true, nil
	}
	if !m.pt.operational(failed) {
		return false, nil
	}
	all := map[proto.NID]bool{}
	for nid := range failed {
		all[nid] = true
	}
	for _, o := range tm.byTTid {
		for nid := range o.failed {
			all[nid] = true
		}
	}
	if !m.pt.operational(all) {
		return false, errDelay{}
	}
	t.failed = failed
	return true, nil
}

// prepare gives the final tid of a transaction the client asks to finish
// and returns the storages that must lock it: those of the partitions of
// its oids, of deleted and checked, and of its ttid. ok is false when the
// failed storages make it impossible to commit.
func (tm *txnManager) prepare(m *Master, ttid zodb.Tid, oids []zodb.Oid, deleted, checked []uint32, req link.Request) (tid zodb.Tid, nodes []*node, err error) {
	t, err := tm.get(ttid)
	if err != nil {
		return 0, nil, err
	}
	if t.tid != 0 {
		return 0, nil, fmt.Errorf("ttid %s already being finished", ttid)
	}
	pt := m.pt
	if len(t.failed) > 0 && !pt.operational(t.failed) {
		return 0, nil, nil
	}
	ready := m.storageReadySet(t.readiness)
	var parts []uint32
	seen := map[uint32]bool{}
	addPart := func(p uint32) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		return true
	}
	for _, oid := range oids {
		if p := uint32(pt.partition(uint64(oid))); addPart(p) {
			parts = append(parts, p)
		}
	}
	for _, p := range deleted {
		if int(p) >= pt.np {
			return 0, nil, fmt.Errorf("partition %d out of range", p)
		}
		if addPart(p) {
			parts = append(parts, p)
		}
	}
	all := append([]uint32(nil), parts...)
	if p := uint32(pt.partition(uint64(ttid))); addPart(p) {
		all = append(all, p)
	}
	for _, p := range checked {
		if int(p) >= pt.np {
			return 0, nil, fmt.Errorf("partition %d out of range", p)
		}
		if addPart(p) {
			all = append(all, p)
		}
	}
	involved := map[proto.NID]bool{}
	for _, p := range all {
		for _, c := range pt.rows[p] {
			n := c.node
			if !n.identified() || involved[n.nid] {
				continue
			}
			if t.failed[n.nid] {
				// Its cells get outdated before the transaction locks.
				m.abort(n.peer)
			} else if ready[n.nid] {
				involved[n.nid] = true
				nodes = append(nodes, n)
			}
		}
	}
	if len(nodes) == 0 {
		return 0, nil, fmt.Errorf("no storage ready for transaction %s", ttid)
	}
	if slices.Contains(tm.queue, ttid) {
		tid = ttid
	} else {
		tid = nextTID(tm.lastTID(m.lastTransaction), ttid, true, uint64(pt.np))
		tm.queue = append(tm.queue, ttid)
	}
	t.tid, t.oids, t.parts, t.req, t.involved = tid, oids, parts, req, involved
	t.locking = map[proto.NID]bool{}
	for nid := range involved {
		t.locking[nid] = true
	}
	for _, oid := range oids {
		tm.setLastOID(oid)
	}
	return tid, nodes, nil
}

// abort drops a transaction not yet being finished and returns the nodes
// waiting for it.
func (tm *txnManager) abort(ttid zodb.Tid) (map[proto.NID]bool, error) {
	t, err := tm.get(ttid)
	if err != nil {
		return nil, err
	}
	if t.tid != 0 {
		return nil, fmt.Errorf("commit already requested for ttid %s", ttid)
	}
	tm.remove(ttid)
	return t.notify, nil
}

// lock records that storage nid locked ttid; when all did and it heads
// the queue, transactions are committed in order.
func (tm *txnManager) lock(m *Master, ttid zodb.Tid, nid proto.NID) {
	t := tm.byTTid[ttid]
	if t == nil || !t.locking[nid] {
		return
	}
	delete(t.locking, nid)
	if len(t.locking) == 0 && len(tm.queue) > 0 && tm.queue[0] == ttid {
		tm.unlockPending(m)
	}
}

// storageLost stops waiting for nid's locks.
func (tm *txnManager) storageLost(m *Master, nid proto.NID) {
	unlock := false
	for ttid, t := range tm.byTTid {
		delete(t.notify, nid)
		delete(t.notifyReq, nid)
		if t.tid != 0 {
			delete(t.locking, nid)
			delete(t.involved, nid)
			if len(t.locking) == 0 && len(tm.queue) > 0 && tm.queue[0] == ttid {
				unlock = true
			}
		}
	}
	if unlock {
		tm.unlockPending(m)
	}
}

// unlockPending commits the head of the queue and every following
// transaction already locked everywhere.
func (tm *txnManager) unlockPending(m *Master) {
	if !tm.firstSet {
		tm.firstSet = true
		tm.setFirstTID(tm.byTTid[tm.queue[0]].tid)
	}
	for len(tm.queue) > 0 {
		t := tm.byTTid[tm.queue[0]]
		if len(t.locking) > 0 {
			break
		}
		tm.queue = tm.queue[1:]
		delete(tm.byTTid, t.ttid)
		m.transactionCommitted(t)
	}
	tm.executeQueued()
}

type aborted struct {
	ttid zodb.Tid
	nids map[proto.NID]bool
}

// clientLost aborts the client's transactions not being finished; those
// being finished go on without it.
func (tm *txnManager) clientLost(m *Master, n *node) []aborted {
	var out []aborted
	for ttid, t := range tm.byTTid {
		if t.client == n {
			if t.tid != 0 {
				t.client = nil
			} else {
				tm.remove(ttid)
				out = append(out, aborted{ttid, t.notify})
			}
		} else {
			delete(t.notify, n.nid)
			delete(t.notifyReq, n.nid)
		}
	}
	return out
}

// registerForNotification makes nid wait for every pending transaction
// and returns their ttids.
func (tm *txnManager) registerForNotification(nid proto.NID) []zodb.Tid {
	out := []zodb.Tid{}
	for ttid, t := range tm.byTTid {
		t.notify[nid] = true
		out = append(out, ttid)
	}
	slices.Sort(out)
	return out
}

// transactionCommitted is NEO/py's onTransactionCommitted: all storages
// locked t; the committer gets its tid, other clients invalidations,
// storages the unlock.
func (m *Master) transactionCommitted(t *txn) {
	inval := &proto.InvalidateObjects{Tid: t.tid, Oids: t.oids}
	if inval.Oids == nil {
		inval.Oids = []zodb.Oid{}
	}
	for _, c := range m.nodes.ofType(proto.Client, true) {
		if c == t.client {
			m.answer(c.peer, t.req, &proto.TidPair{PacketCode: proto.CodeAnswerTransactionFinished, TTid: t.ttid, Tid: t.tid})
		} else if c.backup {
			m.send(c, &proto.InvalidatePartitions{Tid: t.tid, Partitions: nonNilU32(t.parts)})
		} else {
			m.send(c, inval)
		}
	}
	unlock := &proto.TidMsg{PacketCode: proto.CodeNotifyUnlockInformation, Tid: t.ttid}
	for nid := range t.involved {
		if n := m.nodes.byNID(nid); n != nil {
			m.send(n, unlock)
		}
	}
	if t.pack {
		signed := &proto.NotifyPackSigned{Approved: []zodb.Tid{t.tid}, Rejected: []zodb.Tid{}}
		for nid := range m.storageReadySet(allReady) {
			if n := m.nodes.byNID(nid); n != nil {
				m.send(n, signed)
			}
		}
	}
	finished := &proto.TidPair{PacketCode: proto.CodeNotifyTransactionFinished, TTid: t.ttid, Tid: t.tid}
	for nid := range t.notify {
		n := m.nodes.byNID(nid)
		if n == nil || n.peer == nil {
			continue
		}
		if n.typ == proto.Client {
			if req, ok := t.notifyReq[nid]; ok {
				m.answer(n.peer, req, &proto.TidMsg{PacketCode: proto.CodeAnswerFinalTID, Tid: t.tid})
			}
		} else {
			m.send(n, finished)
		}
	}
	if t.tid > m.lastTransaction {
		m.lastTransaction = t.tid
	}
}

func nonNilU32(l []uint32) []uint32 {
	if l == nil {
		return []uint32{}
	}
	return l
}
