package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// The replica checker (NEO/py's checker.py, an experimental feature
// there): told by the master (CheckPartition), the node compares the
// digests of a partition's tid and object ranges between its cell and
// the other readable cells, and reports the cells that differ from the
// reference (the source given, else all differing ones) with
// NotifyPartitionCorrupted.

// checkCount is the size of a checked range (NEO/py's CHECK_COUNT).
const checkCount = 40000

// checkPartitionLocked queues a check; checks run one at a time.
// REQUIRES: mu held.
func (s *Storage) checkPartitionLocked(ml *link.Link, m *proto.CheckPartition) {
	if m.UpstreamName != "" {
		s.mu.log.Error("check against a backup's upstream is not implemented", "partition", m.Partition)
		return
	}
	r := s.mu.repl
	if r == nil {
		return
	}
	if r.checks == nil {
		r.checks = make(chan *proto.CheckPartition, 1024)
		ctx := r.ctx
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case c := <-r.checks:
					if err := s.checkPartition(ctx, ml, c); err != nil && ctx.Err() == nil {
						s.logger().Error("check of a partition failed", "partition", c.Partition, "err", err)
					}
				}
			}
		}()
	}
	select {
	case r.checks <- m:
	default:
		s.mu.log.Error("too many partition checks queued", "partition", m.Partition)
	}
}

// rangeDigest is the answer of a check of one range: AnswerCheckTIDRange
// or AnswerCheckSerialRange's values.
type rangeDigest struct {
	count          uint32
	tidSum, oidSum string
	maxTid         zodb.Tid
	maxOid         zodb.Oid
}

// checkPartition runs one check.
func (s *Storage) checkPartition(ctx context.Context, ml *link.Link, m *proto.CheckPartition) error {
	peers, source, err := s.checkPeers(ctx, m)
	defer func() {
		for _, l := range peers {
			l.Close()
		}
	}()
	if err != nil {
		return err
	}
	// Transactions locked up to MaxTid would make the digests differ.
	for {
		s.mu.Lock()
		locked := s.mu.tm != nil && s.mu.tm.lockedTid(m.MaxTid)
		s.mu.Unlock()
		if !locked {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.mu.Lock()
	me := s.mu.nid
	s.mu.Unlock()
	nextTid, nextOid, objects := m.MinTid, zodb.Oid(0), false
	withSelf := true // until our cell is found corrupted
	for {
		digests := map[proto.NID]rangeDigest{}
		if withSelf {
			d, err := s.localDigest(m.Partition, nextTid, m.MaxTid, nextOid, objects)
			if err != nil {
				return err
			}
			digests[me] = d
		}
		for nid, l := range peers {
			d, err := remoteDigest(ctx, l, m.Partition, nextTid, m.MaxTid, nextOid, objects)
			if err != nil {
				return fmt.Errorf("storage %s: %w", nid, err)
			}
			digests[nid] = d
		}
		cur, corrupted := compareDigests(digests, source)
		if len(corrupted) > 0 {
			for _, nid := range corrupted {
				if nid == me {
					withSelf = false
				}
				if l := peers[nid]; l != nil {
					l.Close()
					delete(peers, nid)
				}
			}
			s.logger().Error("partition corrupted", "partition", m.Partition, "nodes", corrupted)
			ml.Notify(&proto.NotifyPartitionCorrupted{Partition: m.Partition, NIDs: corrupted})
			if len(digests)-len(corrupted) <= 1 {
				return nil
			}
		}
		switch {
		case !objects && cur.count < checkCount:
			nextTid, nextOid, objects = m.MinTid, 0, true
		case !objects:
			nextTid = cur.maxTid + 1
		case cur.count < checkCount:
			s.logger().Info("partition checked", "partition", m.Partition, "min_tid", m.MinTid, "max_tid", m.MaxTid)
			return nil
		default:
			nextTid, nextOid = cur.maxTid, cur.maxOid+1
		}
	}
}

// compareDigests returns the digest the nodes agree on and, when they do
// not, the nodes whose digest differs from the source's (every node when
// there is no source, as NEO/py's checker).
func compareDigests(digests map[proto.NID]rangeDigest, source proto.NID) (cur rangeDigest, corrupted []proto.NID) {
	differ, first := false, true
	for _, d := range digests {
		if first {
			cur, first = d, false
		}
		differ = differ || d != cur
	}
	if !differ {
		return cur, nil
	}
	ref, haveRef := digests[source]
	if source == proto.NoNID {
		haveRef = false
	}
	for nid, d := range digests {
		if !haveRef || d != ref {
			corrupted = append(corrupted, nid)
		}
	}
	return ref, corrupted
}

// checkPeers connects to the other readable cells of the partition.
func (s *Storage) checkPeers(ctx context.Context, m *proto.CheckPartition) (map[proto.NID]*link.Link, proto.NID, error) {
	s.mu.Lock()
	c, ok := proto.CellInfo{}, false
	if m.Partition < s.mu.pt.NumPartitions() {
		c, ok = s.mu.pt.Cell(m.Partition, s.mu.nid)
	}
	if !ok || c.State == proto.OutOfDate {
		s.mu.Unlock()
		return nil, proto.NoNID, fmt.Errorf("partition %d discarded or out-of-date here", m.Partition)
	}
	type target struct {
		nid  proto.NID
		addr string
	}
	var targets []target
	source := proto.NoNID
	for _, c := range s.mu.pt.Cells(m.Partition, true) {
		n, known := s.mu.nodes.Get(c.NID)
		if m.SourceAddr != nil && (c.NID == s.mu.nid && *m.SourceAddr == *s.addr || known && n.Addr != nil && *n.Addr == *m.SourceAddr) {
			source = c.NID
		}
		if c.NID == s.mu.nid || !known || n.State != proto.NodeRunning || n.Addr == nil || !cluster.Readable(c.State) {
			continue
		}
		targets = append(targets, target{c.NID, fmt.Sprintf("%s:%d", n.Addr.Host, n.Addr.Port)})
	}
	self, _ := s.mu.nodes.Get(s.mu.nid)
	my := s.mu.nid
	s.mu.Unlock()
	if m.SourceAddr != nil && source == proto.NoNID {
		return nil, proto.NoNID, fmt.Errorf("unavailable source %s", m.SourceAddr)
	}
	peers := map[proto.NID]*link.Link{}
	for _, t := range targets {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		l, err := link.Dial(dctx, "tcp", t.addr, link.Options{TLS: s.cfg.TLS})
		if err == nil {
			_, err = l.Identify(dctx, &proto.RequestIdentification{NodeType: proto.Storage, NID: my, Addr: s.addr,
				ClusterName: s.cfg.Cluster, IDTimestamp: self.IDTimestamp})
			if err != nil {
				l.Close()
			}
		}
		cancel()
		if err != nil {
			return peers, source, fmt.Errorf("storage %s: %w", t.nid, err)
		}
		peers[t.nid] = l
	}
	if len(peers) == 0 {
		return peers, source, fmt.Errorf("partition %d: no replica to check against", m.Partition)
	}
	return peers, source, nil
}

// localDigest computes the digest of a range of our cell.
func (s *Storage) localDigest(p uint32, minTid, maxTid zodb.Tid, minOid zodb.Oid, objects bool) (rangeDigest, error) {
	if !objects {
		tids, err := s.db.TIDsFrom(minTid, maxTid, checkCount, []uint32{p})
		if err != nil {
			return rangeDigest{}, err
		}
		d := rangeDigest{tidSum: string(backend.ZeroHash[:])}
		if n := len(tids); n > 0 {
			d = rangeDigest{count: uint32(n), tidSum: string(digest(n, func(i int) uint64 { return uint64(tids[i]) })), maxTid: tids[n-1]}
		}
		return d, nil
	}
	src, ok := s.db.(backend.ReplicationSource)
	if !ok {
		return rangeDigest{}, fmt.Errorf("this storage's database cannot be checked")
	}
	refs, err := src.ReplicationObjects(p, minTid, maxTid, minOid, checkCount)
	if err != nil {
		return rangeDigest{}, err
	}
	d := rangeDigest{tidSum: string(backend.ZeroHash[:]), oidSum: string(backend.ZeroHash[:])}
	if n := len(refs); n > 0 {
		d = rangeDigest{count: uint32(n), maxTid: refs[n-1].Serial, maxOid: refs[n-1].Oid,
			tidSum: string(digest(n, func(i int) uint64 { return uint64(refs[i].Serial) })),
			oidSum: string(digest(n, func(i int) uint64 { return uint64(refs[i].Oid) }))}
	}
	return d, nil
}

// remoteDigest asks a peer the digest of a range.
func remoteDigest(ctx context.Context, l *link.Link, p uint32, minTid, maxTid zodb.Tid, minOid zodb.Oid, objects bool) (rangeDigest, error) {
	if !objects {
		m, err := l.Ask(ctx, &proto.AskCheckTIDRange{Partition: p, Length: checkCount, MinTid: minTid, MaxTid: maxTid})
		if err != nil {
			return rangeDigest{}, err
		}
		a := m.(*proto.AnswerCheckTIDRange)
		return rangeDigest{count: a.Count, tidSum: string(a.Checksum), maxTid: a.MaxTid}, nil
	}
	m, err := l.Ask(ctx, &proto.AskCheckSerialRange{Partition: p, Length: checkCount, MinTid: minTid, MaxTid: maxTid, MinOid: minOid})
	if err != nil {
		return rangeDigest{}, err
	}
	a := m.(*proto.AnswerCheckSerialRange)
	return rangeDigest{count: a.Count, tidSum: string(a.TidChecksum), maxTid: a.MaxTid, oidSum: string(a.OidChecksum), maxOid: a.MaxOid}, nil
}
