package proto

import "github.com/zodbneo/zodbneo/zodb"

// Packets of replication, checks, verification and undo.

// NotifyReplicationDone tells the master a partition is replicated up to
// Tid.
type NotifyReplicationDone struct {
	Partition uint32
	Tid       zodb.Tid
}

func (*NotifyReplicationDone) Code() uint16 { return CodeNotifyReplicationDone }
func (m *NotifyReplicationDone) AppendArgs(b []byte) []byte {
	return appendTid(appendUint(appendArray(b, 2), uint64(m.Partition)), m.Tid)
}
func (m *NotifyReplicationDone) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Partition = d.u32("partition")
	m.Tid = d.tid()
	return d.end()
}

// AskFetchTransactions asks another storage for the transactions of a
// partition; Tids are those the asker already has.
type AskFetchTransactions struct {
	Partition, Length uint32
	MinTid, MaxTid    zodb.Tid
	Tids              []zodb.Tid
	AskPackInfo       bool
}

func (*AskFetchTransactions) Code() uint16 { return CodeAskFetchTransactions }
func (m *AskFetchTransactions) AppendArgs(b []byte) []byte {
	b = appendArray(b, 6)
	b = appendUint(b, uint64(m.Partition))
	b = appendUint(b, uint64(m.Length))
	b = appendTid(b, m.MinTid)
	b = appendTid(b, m.MaxTid)
	b = appendTids(b, m.Tids)
	return appendBool(b, m.AskPackInfo)
}
func (m *AskFetchTransactions) DecodeArgs(a []byte) error {
	d := decArgs(a, 6)
	m.Partition = d.u32("partition")
	m.Length = d.u32("length")
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	m.Tids = d.tids()
	m.AskPackInfo = d.bool()
	return d.end()
}

// AnswerFetchTransactions ends the AddTransaction stream; Tids (from a
// set: arbitrary order, kept as received) are to delete on the asker.
type AnswerFetchTransactions struct {
	NextTid       zodb.Tid
	Tids          []zodb.Tid
	CompletedPack zodb.Tid
}

func (*AnswerFetchTransactions) Code() uint16 { return CodeAnswerFetchTransactions }
func (m *AnswerFetchTransactions) AppendArgs(b []byte) []byte {
	b = appendTid(appendArray(b, 3), m.NextTid)
	return appendTid(appendTids(b, m.Tids), m.CompletedPack)
}
func (m *AnswerFetchTransactions) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.NextTid = d.tid()
	m.Tids = d.tids()
	m.CompletedPack = d.tid()
	return d.end()
}

// AskCheckTIDRange asks a checksum of the tids of a partition range.
type AskCheckTIDRange struct {
	Partition, Length uint32
	MinTid, MaxTid    zodb.Tid
}

func (*AskCheckTIDRange) Code() uint16 { return CodeAskCheckTIDRange }
func (m *AskCheckTIDRange) AppendArgs(b []byte) []byte {
	b = appendUint(appendUint(appendArray(b, 4), uint64(m.Partition)), uint64(m.Length))
	return appendTid(appendTid(b, m.MinTid), m.MaxTid)
}
func (m *AskCheckTIDRange) DecodeArgs(a []byte) error {
	d := decArgs(a, 4)
	m.Partition = d.u32("partition")
	m.Length = d.u32("length")
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	return d.end()
}

// AnswerCheckTIDRange answers AskCheckTIDRange.
type AnswerCheckTIDRange struct {
	Count    uint32
	Checksum []byte
	MaxTid   zodb.Tid
}

func (*AnswerCheckTIDRange) Code() uint16 { return CodeAnswerCheckTIDRange }
func (m *AnswerCheckTIDRange) AppendArgs(b []byte) []byte {
	b = appendBin(appendUint(appendArray(b, 3), uint64(m.Count)), m.Checksum)
	return appendTid(b, m.MaxTid)
}
func (m *AnswerCheckTIDRange) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.Count = d.u32("count")
	m.Checksum = d.bin()
	m.MaxTid = d.tid()
	return d.end()
}

// AskCheckSerialRange asks checksums of the object records of a range.
type AskCheckSerialRange struct {
	Partition, Length uint32
	MinTid, MaxTid    zodb.Tid
	MinOid            zodb.Oid
}

func (*AskCheckSerialRange) Code() uint16 { return CodeAskCheckSerialRange }
func (m *AskCheckSerialRange) AppendArgs(b []byte) []byte {
	b = appendUint(appendUint(appendArray(b, 5), uint64(m.Partition)), uint64(m.Length))
	return appendOid(appendTid(appendTid(b, m.MinTid), m.MaxTid), m.MinOid)
}
func (m *AskCheckSerialRange) DecodeArgs(a []byte) error {
	d := decArgs(a, 5)
	m.Partition = d.u32("partition")
	m.Length = d.u32("length")
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	m.MinOid = d.oid()
	return d.end()
}

// AnswerCheckSerialRange answers AskCheckSerialRange.
type AnswerCheckSerialRange struct {
	Count       uint32
	TidChecksum []byte
	MaxTid      zodb.Tid
	OidChecksum []byte
	MaxOid      zodb.Oid
}

func (*AnswerCheckSerialRange) Code() uint16 { return CodeAnswerCheckSerialRange }
func (m *AnswerCheckSerialRange) AppendArgs(b []byte) []byte {
	b = appendBin(appendUint(appendArray(b, 5), uint64(m.Count)), m.TidChecksum)
	return appendOid(appendBin(appendTid(b, m.MaxTid), m.OidChecksum), m.MaxOid)
}
func (m *AnswerCheckSerialRange) DecodeArgs(a []byte) error {
	d := decArgs(a, 5)
	m.Count = d.u32("count")
	m.TidChecksum = d.bin()
	m.MaxTid = d.tid()
	m.OidChecksum = d.bin()
	m.MaxOid = d.oid()
	return d.end()
}

// AskOIDsFrom asks for the oids of a partition from MinOid, as of Tid.
type AskOIDsFrom struct {
	Partition, Length uint32
	MinOid            zodb.Oid
	Tid               zodb.Tid
}

func (*AskOIDsFrom) Code() uint16 { return CodeAskOIDsFrom }
func (m *AskOIDsFrom) AppendArgs(b []byte) []byte {
	b = appendUint(appendUint(appendArray(b, 4), uint64(m.Partition)), uint64(m.Length))
	return appendTid(appendOid(b, m.MinOid), m.Tid)
}
func (m *AskOIDsFrom) DecodeArgs(a []byte) error {
	d := decArgs(a, 4)
	m.Partition = d.u32("partition")
	m.Length = d.u32("length")
	m.MinOid = d.oid()
	m.Tid = d.tid()
	return d.end()
}

// AnswerOIDsFrom answers AskOIDsFrom (NextOid NoOid at the end).
type AnswerOIDsFrom struct {
	NextOid zodb.Oid
	Oids    []zodb.Oid
}

func (*AnswerOIDsFrom) Code() uint16 { return CodeAnswerOIDsFrom }
func (m *AnswerOIDsFrom) AppendArgs(b []byte) []byte {
	return appendOids(appendOid(appendArray(b, 2), m.NextOid), m.Oids)
}
func (m *AnswerOIDsFrom) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.NextOid = d.oid()
	m.Oids = d.oids()
	return d.end()
}

// LockedTxn is one entry of AnswerLockedTransactions' map {ttid: tid}.
type LockedTxn struct{ TTid, Tid zodb.Tid }

// AnswerLockedTransactions answers AskLockedTransactions: the map's
// entries in the order received.
type AnswerLockedTransactions struct{ Locked []LockedTxn }

func (*AnswerLockedTransactions) Code() uint16 { return CodeAnswerLockedTransactions }
func (m *AnswerLockedTransactions) AppendArgs(b []byte) []byte {
	b = appendMap(appendArray(b, 1), len(m.Locked))
	for _, e := range m.Locked {
		b = appendTid(appendTid(b, e.TTid), e.Tid)
	}
	return b
}
func (m *AnswerLockedTransactions) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	n := d.mapLen()
	m.Locked = make([]LockedTxn, n)
	for i := range m.Locked {
		m.Locked[i] = LockedTxn{TTid: d.tid(), Tid: d.tid()}
	}
	return d.end()
}

// AskObjectUndoSerial asks, for undo, the serials of objects.
type AskObjectUndoSerial struct {
	TTid, LTid, UndoneTid zodb.Tid
	Oids                  []zodb.Oid
}

func (*AskObjectUndoSerial) Code() uint16 { return CodeAskObjectUndoSerial }
func (m *AskObjectUndoSerial) AppendArgs(b []byte) []byte {
	b = appendTid(appendTid(appendTid(appendArray(b, 4), m.TTid), m.LTid), m.UndoneTid)
	return appendOids(b, m.Oids)
}
func (m *AskObjectUndoSerial) DecodeArgs(a []byte) error {
	d := decArgs(a, 4)
	m.TTid = d.tid()
	m.LTid = d.tid()
	m.UndoneTid = d.tid()
	m.Oids = d.oids()
	return d.end()
}

// UndoSerial is one entry of AnswerObjectUndoSerial's map {oid:
// [current_serial, undo_serial|nil, is_current]}.
type UndoSerial struct {
	Oid           zodb.Oid
	CurrentSerial zodb.Tid
	UndoSerial    zodb.Tid
	IsCurrent     bool
}

// AnswerObjectUndoSerial answers AskObjectUndoSerial: the map's entries
// in the order received.
type AnswerObjectUndoSerial struct{ Serials []UndoSerial }

func (*AnswerObjectUndoSerial) Code() uint16 { return CodeAnswerObjectUndoSerial }
func (m *AnswerObjectUndoSerial) AppendArgs(b []byte) []byte {
	b = appendMap(appendArray(b, 1), len(m.Serials))
	for _, e := range m.Serials {
		b = appendArray(appendOid(b, e.Oid), 3)
		b = appendBool(appendTid(appendTid(b, e.CurrentSerial), e.UndoSerial), e.IsCurrent)
	}
	return b
}
func (m *AnswerObjectUndoSerial) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	n := d.mapLen()
	m.Serials = make([]UndoSerial, n)
	for i := range m.Serials {
		oid := d.oid()
		if d.arrayLen() != 3 {
			d.fail("undo serial is not a triple")
			break
		}
		m.Serials[i] = UndoSerial{Oid: oid, CurrentSerial: d.tid(), UndoSerial: d.tid(), IsCurrent: d.bool()}
	}
	return d.end()
}
