package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// Replication of our OUT_OF_DATE cells from a readable cell of another
// storage, a simplified NEO/py replicator (neo/storage/replicator.py):
//
//  1. ask the master for the transactions being committed
//     (AskUnfinishedTransactions) -> (last tid, ttids); from then on,
//     clients write every new transaction to us in full (without locks:
//     we lack the data to check conflicts, a readable cell does it)
//  2. fetch the partition up to the last tid: transactions, then objects,
//     by chunks (AskFetchTransactions, AskFetchObjects)
//  3. when the ttids are finished (NotifyTransactionFinished gives the
//     tid to replicate up to again), fetch again up to it
//  4. new stores now take locks; once no transaction stored without a
//     lock in the partition remains, tell the master
//     (NotifyReplicationDone) which makes the cell UP_TO_DATE.

// fetchCount is the chunk size of replication requests (NEO/py's
// FETCH_COUNT).
const fetchCount = 1000

// replPart is the replication state of one OUT_OF_DATE cell of ours.
type replPart struct {
	upTo       zodb.Tid // replicate up to this tid (NoTid: not known yet)
	replicated zodb.Tid // replicated up to this tid (NoTid: nothing yet)
	maxTTid    zodb.Tid // newest unfinished transaction to wait for (NoTid: none)
	notified   bool     // NotifyReplicationDone sent
}

func (r *replPart) fetched() bool { return r.upTo != proto.NoTid && r.replicated == r.upTo }

// replicator holds the replication state of an operation period.
// REQUIRES: the node lock for its fields.
type replicator struct {
	parts map[uint32]*replPart
	ttids map[zodb.Tid]bool // unfinished transactions to wait for
	wake  chan struct{}     // kicks the worker (buffered, 1)
	ctx   context.Context   // ends with the operation period
	stop  context.CancelFunc
	// checks queues the CheckPartition orders (checker.go).
	checks chan *proto.CheckPartition
}

// startReplicator starts the replication of our OUT_OF_DATE cells, at
// StartOperation. REQUIRES: mu held.
func (s *Storage) startReplicatorLocked(ml *link.Link) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &replicator{parts: map[uint32]*replPart{}, ttids: map[zodb.Tid]bool{},
		wake: make(chan struct{}, 1), ctx: ctx, stop: cancel}
	s.mu.repl = r
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.replicate(ctx, r)
	}()
	s.outdatedLocked(ml, s.mu.pt.Assigned(s.mu.nid))
}

// stopReplicatorLocked stops the worker (the node leaves operation); Run
// waits for it before closing the database. REQUIRES: mu held.
func (s *Storage) stopReplicatorLocked() {
	if r := s.mu.repl; r != nil {
		s.mu.repl = nil
		r.stop()
	}
}

// outdatedLocked starts replicating those of parts where our cell is
// OUT_OF_DATE and not yet replicating: the master tells the transactions
// to wait for. REQUIRES: mu held.
func (s *Storage) outdatedLocked(ml *link.Link, parts []uint32) {
	r := s.mu.repl
	if r == nil || ml == nil {
		return
	}
	var added []uint32
	for _, p := range parts {
		c, ok := s.mu.pt.Cell(p, s.mu.nid)
		if !ok || c.State != proto.OutOfDate || r.parts[p] != nil {
			continue
		}
		r.parts[p] = &replPart{upTo: proto.NoTid, replicated: proto.NoTid, maxTTid: proto.NoTid}
		added = append(added, p)
	}
	if len(added) == 0 {
		return
	}
	s.mu.log.Info("replicating", "partitions", added)
	call, err := ml.Start(&proto.AskUnfinishedTransactions{Partitions: added})
	if err != nil {
		return // the master link is down: recovery again
	}
	go func() {
		m, err := call.Wait(context.Background())
		a, ok := m.(*proto.AnswerUnfinishedTransactions)
		s.mu.Lock()
		defer s.mu.Unlock()
		if err != nil || !ok || s.mu.repl != r {
			return
		}
		maxTTid := proto.NoTid
		for _, t := range a.Pending {
			r.ttids[t] = true
			if maxTTid == proto.NoTid || t > maxTTid {
				maxTTid = t
			}
		}
		upTo := a.LastTid
		if upTo == proto.NoTid {
			upTo = 0
		}
		for _, p := range added {
			if rp := r.parts[p]; rp != nil {
				rp.upTo, rp.maxTTid = upTo, maxTTid
			}
		}
		r.kick()
	}()
}

func (r *replicator) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// transactionFinishedLocked is NotifyTransactionFinished (or an abort)
// for a transaction replication may wait for: partitions waiting for it
// replicate again up to maxTid. REQUIRES: mu held.
func (s *Storage) transactionFinishedLocked(ttid, maxTid zodb.Tid) {
	r := s.mu.repl
	if r == nil || !r.ttids[ttid] {
		return
	}
	delete(r.ttids, ttid)
	min := proto.NoTid
	for t := range r.ttids {
		if min == proto.NoTid || t < min {
			min = t
		}
	}
	for _, rp := range r.parts {
		if rp.maxTTid == proto.NoTid {
			continue
		}
		if maxTid != proto.NoTid && rp.upTo != proto.NoTid && maxTid > rp.upTo {
			rp.upTo = maxTid
		}
		if min == proto.NoTid || rp.maxTTid < min {
			rp.maxTTid = proto.NoTid
		}
	}
	r.kick()
	s.checkReplicatedLocked()
}

// replicatingLocked tells whether stores to p must go without a lock: our
// cell is out of date and not fully fetched. REQUIRES: mu held.
func (s *Storage) replicatingLocked(p uint32) bool {
	if !s.assignedLocked(p) || s.readableLocked(p) {
		return false
	}
	r := s.mu.repl
	if r == nil {
		return true
	}
	rp := r.parts[p]
	return rp == nil || !rp.fetched() || rp.maxTTid != proto.NoTid
}

// checkReplicatedLocked tells the master of the partitions fetched, with
// no transaction left to wait for and none stored in them without a
// lock. REQUIRES: mu held.
func (s *Storage) checkReplicatedLocked() {
	r, tm, ml := s.mu.repl, s.mu.tm, s.mu.master
	if r == nil || tm == nil || ml == nil {
		return
	}
	for p, rp := range r.parts {
		if rp.notified || !rp.fetched() || rp.maxTTid != proto.NoTid || tm.locklessIn(p) {
			continue
		}
		rp.notified = true
		s.mu.log.Info("partition replicated", "partition", p, "tid", rp.replicated)
		ml.Notify(&proto.NotifyReplicationDone{Partition: p, Tid: rp.replicated})
	}
}

// partitionStatesLocked forgets partitions whose cell is no longer ours
// and out of date, and starts those newly out of date.
// REQUIRES: mu held.
func (s *Storage) partitionStatesLocked(changes []proto.CellChange) {
	r := s.mu.repl
	if r == nil {
		return
	}
	var outdated []uint32
	for _, c := range changes {
		if c.NID != s.mu.nid {
			continue
		}
		if c.State == proto.OutOfDate {
			outdated = append(outdated, c.Partition)
		} else {
			delete(r.parts, c.Partition)
		}
	}
	s.outdatedLocked(s.mu.master, outdated)
	r.kick() // a source may have become readable
}

// replicate is the worker: it fetches partitions with work to do, one at
// a time, until ctx ends.
func (s *Storage) replicate(ctx context.Context, r *replicator) {
	src := map[proto.NID]*link.Link{}
	defer func() {
		for _, l := range src {
			l.Close()
		}
	}()
	for {
		p, upTo, from, srcNID, addr, ok := s.nextPartition(r)
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-r.wake:
				continue
			}
		}
		l, err := s.sourceLink(ctx, src, srcNID, addr)
		if err == nil {
			err = s.fetchPartition(ctx, l, p, from, upTo)
		}
		s.mu.Lock()
		if s.mu.repl == r {
			if rp := r.parts[p]; rp != nil && err == nil {
				rp.replicated = upTo
				s.checkReplicatedLocked()
			}
		}
		log := s.mu.log
		s.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("replication aborted", "partition", p, "source", srcNID, "err", err)
			if l := src[srcNID]; l != nil {
				l.Close()
				delete(src, srcNID)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(retryDelay):
			}
		}
	}
}

// nextPartition chooses a partition to fetch and a running storage with
// a readable cell of it.
func (s *Storage) nextPartition(r *replicator) (p uint32, upTo, from zodb.Tid, srcNID proto.NID, addr string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.repl != r {
		return 0, 0, 0, 0, "", false
	}
	parts := make([]uint32, 0, len(r.parts))
	for p := range r.parts {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	for _, p := range parts {
		rp := r.parts[p]
		if rp.upTo == proto.NoTid || rp.replicated == rp.upTo {
			continue
		}
		for _, c := range s.mu.pt.Cells(p, true) {
			n, known := s.mu.nodes.Get(c.NID)
			if c.NID == s.mu.nid || !known || n.State != proto.NodeRunning || n.Addr == nil || !cluster.Readable(c.State) {
				continue
			}
			from := zodb.Tid(0)
			if rp.replicated != proto.NoTid {
				from = rp.replicated + 1
			}
			return p, rp.upTo, from, c.NID, fmt.Sprintf("%s:%d", n.Addr.Host, n.Addr.Port), true
		}
	}
	return 0, 0, 0, 0, "", false
}

// sourceLink returns the link to storage nid, connecting and identifying.
func (s *Storage) sourceLink(ctx context.Context, src map[proto.NID]*link.Link, nid proto.NID, addr string) (*link.Link, error) {
	if l := src[nid]; l != nil && l.Err() == nil {
		return l, nil
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	l, err := link.Dial(dctx, "tcp", addr, link.Options{Handler: link.HandlerFunc(s.replicationStream),
		Ordered: true, OrderedAnswers: true, TLS: s.cfg.TLS})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	self, _ := s.mu.nodes.Get(s.mu.nid)
	my := s.mu.nid
	s.mu.Unlock()
	if _, err := l.Identify(dctx, &proto.RequestIdentification{NodeType: proto.Storage, NID: my, Addr: s.addr,
		ClusterName: s.cfg.Cluster, IDTimestamp: self.IDTimestamp}); err != nil {
		l.Close()
		return nil, err
	}
	src[nid] = l
	return l, nil
}

// replicationStream stores what a source streams (AddTransaction,
// AddObject) as it comes.
func (s *Storage) replicationStream(l *link.Link, req link.Request) {
	tgt, ok := s.db.(backend.ReplicationTarget)
	if !ok {
		l.Close()
		return
	}
	var err error
	s.mu.Lock()
	switch m := req.Msg.(type) {
	case *proto.AddTransaction:
		err = tgt.PutTransaction(m.Tid, &backend.Txn{Tid: m.Tid, TTid: m.TTid, User: m.User, Description: m.Description,
			Extension: m.Extension, Packed: m.Packed, Oids: m.Oids})
	case *proto.AddObject:
		var sum [20]byte
		copy(sum[:], m.Checksum)
		hasData := len(m.Data) > 0 || sum != backend.ZeroHash
		err = tgt.PutObject(m.Oid, m.Serial, byte(m.Compression), sum, m.Data, hasData, m.DataSerial)
	default:
		err = unexpected(m)
	}
	s.mu.Unlock()
	if err != nil {
		s.log.Error("replication", "err", err)
		l.Close()
	}
}

// fetchPartition fetches partition p's transactions then objects in
// [from, upTo] from the source on l.
func (s *Storage) fetchPartition(ctx context.Context, l *link.Link, p uint32, from, upTo zodb.Tid) error {
	tgt, ok := s.db.(backend.ReplicationTarget)
	if !ok {
		return errors.New("the database cannot take replicated data")
	}
	if err := s.fetchTransactions(ctx, l, tgt, p, from, upTo); err != nil {
		return err
	}
	return s.fetchObjects(ctx, l, tgt, p, from, upTo)
}

// fetchTransactions fetches transactions by chunks: the source streams
// those we lack (stored by replicationStream) and lists those to delete.
func (s *Storage) fetchTransactions(ctx context.Context, l *link.Link, tgt backend.ReplicationTarget, p uint32, from, upTo zodb.Tid) error {
	for min, first := from, true; min != proto.NoTid; first = false {
		have, err := s.db.TIDsFrom(min, upTo, fetchCount, []uint32{p})
		if err != nil {
			return err
		}
		m, err := l.Ask(ctx, &proto.AskFetchTransactions{Partition: p, Length: fetchCount, MinTid: min, MaxTid: upTo,
			Tids: have, AskPackInfo: first})
		if err != nil {
			return err
		}
		a := m.(*proto.AnswerFetchTransactions)
		if err := s.locked(func() error {
			for _, tid := range a.Tids {
				if err := tgt.DeleteTransaction(tid); err != nil {
					return err
				}
			}
			return s.db.Commit()
		}); err != nil {
			return err
		}
		min = a.NextTid
	}
	return nil
}

// fetchObjects fetches object revisions by chunks, as fetchTransactions.
func (s *Storage) fetchObjects(ctx context.Context, l *link.Link, tgt backend.ReplicationTarget, p uint32, from, upTo zodb.Tid) error {
	minTid, minOid := from, zodb.Oid(0)
	for minTid != proto.NoTid {
		refs, err := tgt.ReplicationObjects(p, minTid, upTo, minOid, fetchCount)
		if err != nil {
			return err
		}
		var have []proto.SerialOids
		for _, r := range refs {
			if n := len(have); n > 0 && have[n-1].Serial == r.Serial {
				have[n-1].Oids = append(have[n-1].Oids, r.Oid)
			} else {
				have = append(have, proto.SerialOids{Serial: r.Serial, Oids: []zodb.Oid{r.Oid}})
			}
		}
		m, err := l.Ask(ctx, &proto.AskFetchObjects{Partition: p, Length: fetchCount, MinTid: minTid, MaxTid: upTo,
			MinOid: minOid, Objects: have})
		if err != nil {
			return err
		}
		a := m.(*proto.AnswerFetchObjects)
		if err := s.locked(func() error {
			for _, e := range a.Objects {
				for _, oid := range e.Oids {
					if err := tgt.DeleteObject(oid, e.Serial); err != nil {
						return err
					}
				}
			}
			return s.db.Commit()
		}); err != nil {
			return err
		}
		minTid, minOid = a.NextTid, a.NextOid
	}
	return nil
}

// locked runs f under the node lock (the node serialises writers).
func (s *Storage) locked(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}
