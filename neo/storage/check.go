package storage

import (
	"crypto/sha1"
	"fmt"
	"strconv"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
)

// Serving the replica checker of another storage (neoctl check): digests
// of tid and oid ranges computed as NEO/py's SQL does, SHA-1 of the
// decimal numbers joined by commas (NEO/py's checkTIDRange and
// checkSerialRange).

// checkingCheck answers CHECKING_ERROR unless our cell of partition is
// there and not out of date.
func (s *Storage) checkingCheck(p *peer, req link.Request, partition uint32) bool {
	s.mu.Lock()
	ok := false
	if partition < s.mu.pt.NumPartitions() {
		c, found := s.mu.pt.Cell(partition, s.mu.nid)
		ok = found && c.State != proto.OutOfDate
	}
	s.mu.Unlock()
	if !ok {
		p.l.Answer(req, &proto.Error{ErrCode: proto.CheckingError, Message: fmt.Sprintf("partition %d not readable", partition)})
	}
	return ok
}

// digest is SHA-1 of the numbers in decimal, joined by commas.
func digest(n int, at func(i int) uint64) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, at(i), 10)
	}
	sum := sha1.Sum(b)
	return sum[:]
}

func (s *Storage) askCheckTIDRange(p *peer, req link.Request, m *proto.AskCheckTIDRange) error {
	if !s.checkingCheck(p, req, m.Partition) {
		return nil
	}
	return s.delayedRead(p, func(tm *txnManager) bool { return tm.lockedTid(m.MaxTid) }, func(bool) {
		tids, err := s.db.TIDsFrom(m.MinTid, m.MaxTid, int(m.Length), []uint32{m.Partition})
		if err != nil {
			s.peerError(p, req, err)
			return
		}
		ans := &proto.AnswerCheckTIDRange{Checksum: backend.ZeroHash[:], MaxTid: 0}
		if len(tids) > 0 {
			ans.Count = uint32(len(tids))
			ans.Checksum = digest(len(tids), func(i int) uint64 { return uint64(tids[i]) })
			ans.MaxTid = tids[len(tids)-1]
		}
		p.l.Answer(req, ans)
	})
}

func (s *Storage) askCheckSerialRange(p *peer, req link.Request, m *proto.AskCheckSerialRange) error {
	if !s.checkingCheck(p, req, m.Partition) {
		return nil
	}
	src, ok := s.db.(backend.ReplicationSource)
	if !ok {
		p.l.Answer(req, &proto.Error{ErrCode: proto.CheckingError, Message: "this storage's database cannot be checked"})
		return nil
	}
	s.mu.Lock()
	locked := s.mu.tm != nil && s.mu.tm.lockedTid(m.MaxTid)
	s.mu.Unlock()
	if locked {
		return &protocolError{"transactions must be checked before objects"}
	}
	refs, err := src.ReplicationObjects(m.Partition, m.MinTid, m.MaxTid, m.MinOid, int(m.Length))
	if err != nil {
		return err
	}
	ans := &proto.AnswerCheckSerialRange{TidChecksum: backend.ZeroHash[:], OidChecksum: backend.ZeroHash[:]}
	if n := len(refs); n > 0 {
		ans.Count = uint32(n)
		ans.TidChecksum = digest(n, func(i int) uint64 { return uint64(refs[i].Serial) })
		ans.MaxTid = refs[n-1].Serial
		ans.OidChecksum = digest(n, func(i int) uint64 { return uint64(refs[i].Oid) })
		ans.MaxOid = refs[n-1].Oid
	}
	p.l.Answer(req, ans)
	return nil
}
