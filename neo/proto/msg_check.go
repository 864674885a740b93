package proto

import "github.com/zodbneo/zodbneo/zodb"

// Packets of replica checks and object replication.

// CheckPartition tells a storage to check a partition against a source:
// [upstream_name, address|nil] (an empty name and nil address: the
// storages of this cluster).
type CheckPartition struct {
	Partition      uint32
	UpstreamName   string
	SourceAddr     *Address
	MinTid, MaxTid zodb.Tid
}

func (*CheckPartition) Code() uint16 { return CodeCheckPartition }
func (m *CheckPartition) AppendArgs(b []byte) []byte {
	b = appendArray(appendUint(appendArray(b, 4), uint64(m.Partition)), 2)
	b = appendAddr(appendBin(b, []byte(m.UpstreamName)), m.SourceAddr)
	return appendTid(appendTid(b, m.MinTid), m.MaxTid)
}
func (m *CheckPartition) DecodeArgs(a []byte) error {
	d := decArgs(a, 4)
	m.Partition = d.u32("partition")
	if d.arrayLen() != 2 {
		d.fail("source is not a pair")
	}
	m.UpstreamName = d.str()
	m.SourceAddr = d.addr()
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	return d.end()
}

// CheckReference is one entry of CheckReplicas' map {partition:
// nid|nil}: the reference cell of a partition (NoNID: choose one).
type CheckReference struct {
	Partition uint32
	NID       NID
}

// CheckReplicas asks the master to check replicas (answered by Error).
// The map's entries are kept in the order received.
type CheckReplicas struct {
	Partitions     []CheckReference
	MinTid, MaxTid zodb.Tid
}

func (*CheckReplicas) Code() uint16 { return CodeCheckReplicas }
func (m *CheckReplicas) AppendArgs(b []byte) []byte {
	b = appendMap(appendArray(b, 3), len(m.Partitions))
	for _, p := range m.Partitions {
		b = appendNID(appendUint(b, uint64(p.Partition)), p.NID)
	}
	return appendTid(appendTid(b, m.MinTid), m.MaxTid)
}
func (m *CheckReplicas) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	n := d.mapLen()
	m.Partitions = make([]CheckReference, n)
	for i := range m.Partitions {
		m.Partitions[i] = CheckReference{Partition: d.u32("partition"), NID: d.nid()}
	}
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	return d.end()
}

// SerialOids is one entry of a {serial: [oid...]} map.
type SerialOids struct {
	Serial zodb.Tid
	Oids   []zodb.Oid
}

func appendSerialOids(b []byte, l []SerialOids) []byte {
	b = appendMap(b, len(l))
	for _, e := range l {
		b = appendOids(appendTid(b, e.Serial), e.Oids)
	}
	return b
}

func (d *dec) serialOids() []SerialOids {
	n := d.mapLen()
	l := make([]SerialOids, n)
	for i := range l {
		l[i] = SerialOids{Serial: d.tid(), Oids: d.oids()}
	}
	return l
}

// AskFetchObjects asks another storage for the object records of a
// partition; Objects are those the asker already has (map entries in the
// order received).
type AskFetchObjects struct {
	Partition, Length uint32
	MinTid, MaxTid    zodb.Tid
	MinOid            zodb.Oid
	Objects           []SerialOids
}

func (*AskFetchObjects) Code() uint16 { return CodeAskFetchObjects }
func (m *AskFetchObjects) AppendArgs(b []byte) []byte {
	b = appendUint(appendUint(appendArray(b, 6), uint64(m.Partition)), uint64(m.Length))
	b = appendOid(appendTid(appendTid(b, m.MinTid), m.MaxTid), m.MinOid)
	return appendSerialOids(b, m.Objects)
}
func (m *AskFetchObjects) DecodeArgs(a []byte) error {
	d := decArgs(a, 6)
	m.Partition = d.u32("partition")
	m.Length = d.u32("length")
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	m.MinOid = d.oid()
	m.Objects = d.serialOids()
	return d.end()
}

// AnswerFetchObjects ends the AddObject stream; Objects are the records
// to delete on the asker.
type AnswerFetchObjects struct {
	NextTid zodb.Tid
	NextOid zodb.Oid
	Objects []SerialOids
}

func (*AnswerFetchObjects) Code() uint16 { return CodeAnswerFetchObjects }
func (m *AnswerFetchObjects) AppendArgs(b []byte) []byte {
	b = appendOid(appendTid(appendArray(b, 3), m.NextTid), m.NextOid)
	return appendSerialOids(b, m.Objects)
}
func (m *AnswerFetchObjects) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.NextTid = d.tid()
	m.NextOid = d.oid()
	m.Objects = d.serialOids()
	return d.end()
}
