package proto

import (
	"math"

	"github.com/zodbneo/zodbneo/zodb"
)

// Packets not seen in the recorded traces, typed from their layout in
// neo/lib/protocol.py (PROTOCOL-NOTES.md §7).

// FailedVote tells the master which storages failed to vote (answered by
// Error).
type FailedVote struct {
	TTid zodb.Tid
	NIDs []NID
}

func (*FailedVote) Code() uint16 { return CodeFailedVote }
func (m *FailedVote) AppendArgs(b []byte) []byte {
	return appendNIDs(appendTid(appendArray(b, 2), m.TTid), m.NIDs)
}
func (m *FailedVote) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.TTid = d.tid()
	m.NIDs = d.nids()
	return d.end()
}

// InvalidatePartitions invalidates whole partitions (backup clients).
type InvalidatePartitions struct {
	Tid        zodb.Tid
	Partitions []uint32
}

func (*InvalidatePartitions) Code() uint16 { return CodeInvalidatePartitions }
func (m *InvalidatePartitions) AppendArgs(b []byte) []byte {
	return appendU32s(appendTid(appendArray(b, 2), m.Tid), m.Partitions)
}
func (m *InvalidatePartitions) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Tid = d.tid()
	m.Partitions = d.u32s("partition")
	return d.end()
}

// TidOid is NotifyDeadlock or AskRelockObject: [ttid, oid]; its code
// tells which.
type TidOid struct {
	PacketCode uint16
	TTid       zodb.Tid
	Oid        zodb.Oid
}

func (m *TidOid) Code() uint16 { return m.PacketCode }
func (m *TidOid) AppendArgs(b []byte) []byte {
	return appendOid(appendTid(appendArray(b, 2), m.TTid), m.Oid)
}
func (m *TidOid) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.TTid = d.tid()
	m.Oid = d.oid()
	return d.end()
}

// Repair asks the master to repair storages (answered by Error).
type Repair struct {
	NIDs   []NID
	DryRun bool
}

func (*Repair) Code() uint16 { return CodeRepair }
func (m *Repair) AppendArgs(b []byte) []byte {
	return appendBool(appendNIDs(appendArray(b, 2), m.NIDs), m.DryRun)
}
func (m *Repair) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.NIDs = d.nids()
	m.DryRun = d.bool()
	return d.end()
}

// NotifyRepair tells a storage to repair itself.
type NotifyRepair struct{ DryRun bool }

func (*NotifyRepair) Code() uint16                 { return CodeNotifyRepair }
func (m *NotifyRepair) AppendArgs(b []byte) []byte { return appendBool(appendArray(b, 1), m.DryRun) }
func (m *NotifyRepair) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.DryRun = d.bool()
	return d.end()
}

// NotifyPartitionCorrupted reports the corrupted cells of a partition.
type NotifyPartitionCorrupted struct {
	Partition uint32
	NIDs      []NID
}

func (*NotifyPartitionCorrupted) Code() uint16 { return CodeNotifyPartitionCorrupted }
func (m *NotifyPartitionCorrupted) AppendArgs(b []byte) []byte {
	return appendNIDs(appendUint(appendArray(b, 2), uint64(m.Partition)), m.NIDs)
}
func (m *NotifyPartitionCorrupted) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Partition = d.u32("partition")
	m.NIDs = d.nids()
	return d.end()
}

// NotifyUpstreamAdmin gives a backup cluster's admin its upstream admin.
type NotifyUpstreamAdmin struct{ Addr *Address }

func (*NotifyUpstreamAdmin) Code() uint16 { return CodeNotifyUpstreamAdmin }
func (m *NotifyUpstreamAdmin) AppendArgs(b []byte) []byte {
	return appendAddr(appendArray(b, 1), m.Addr)
}
func (m *NotifyUpstreamAdmin) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Addr = d.addr()
	return d.end()
}

// NoPrimary is a nil primary index in NotPrimaryMaster.
const NoPrimary = -1

// NotPrimaryMaster is a secondary master's answer to an identification:
// the index of the primary in Masters (NoPrimary: unknown).
type NotPrimaryMaster struct {
	Primary int32
	Masters []*Address
}

func (*NotPrimaryMaster) Code() uint16 { return CodeNotPrimaryMaster }
func (m *NotPrimaryMaster) AppendArgs(b []byte) []byte {
	b = appendArray(b, 2)
	if m.Primary == NoPrimary {
		b = appendNil(b)
	} else {
		b = appendInt(b, int64(m.Primary))
	}
	b = appendArray(b, len(m.Masters))
	for _, a := range m.Masters {
		b = appendAddr(b, a)
	}
	return b
}
func (m *NotPrimaryMaster) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Primary = NoPrimary
	if !d.peekNil() {
		m.Primary = int32(d.intRange(0, math.MaxInt32, "primary"))
	}
	n := d.arrayLen()
	m.Masters = make([]*Address, n)
	for i := range m.Masters {
		m.Masters[i] = d.addr()
	}
	return d.end()
}
