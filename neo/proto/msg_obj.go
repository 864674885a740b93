package proto

import (
	"math"

	"github.com/zodbneo/zodbneo/zodb"
)

// Packets of objects: load, store, history.

// AskObject asks a storage for a revision: At an exact serial, Before the
// revision before a tid, both NoTid for the current one.
type AskObject struct {
	Oid    zodb.Oid
	At     zodb.Tid
	Before zodb.Tid
}

func (*AskObject) Code() uint16 { return CodeAskObject }
func (m *AskObject) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendOid(b, m.Oid)
	b = appendTid(b, m.At)
	return appendTid(b, m.Before)
}
func (m *AskObject) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.Oid = d.oid()
	m.At = d.tid()
	m.Before = d.tid()
	return d.end()
}

// AnswerObject answers AskObject. Checksum is the SHA-1 of Data; Data
// aliases the packet's bytes after DecodeArgs.
type AnswerObject struct {
	Oid         zodb.Oid
	Serial      zodb.Tid
	NextSerial  zodb.Tid // NoTid for the current revision
	Compression int64
	Checksum    []byte
	Data        []byte
	DataSerial  zodb.Tid // NoTid unless the data is another revision's
}

func (*AnswerObject) Code() uint16 { return CodeAnswerObject }
func (m *AnswerObject) AppendArgs(b []byte) []byte {
	b = appendArray(b, 7)
	b = appendOid(b, m.Oid)
	b = appendTid(b, m.Serial)
	b = appendTid(b, m.NextSerial)
	b = appendInt(b, m.Compression)
	b = appendBin(b, m.Checksum)
	b = appendBin(b, m.Data)
	return appendTid(b, m.DataSerial)
}
func (m *AnswerObject) DecodeArgs(a []byte) error {
	d := decArgs(a, 7)
	m.Oid = d.oid()
	m.Serial = d.tid()
	m.NextSerial = d.tid()
	// NEO/py's storage sends a nil compression for a record without
	// data (a deletion, or a backpointer): read as 0.
	m.Compression = 0
	if !d.peekNil() {
		m.Compression = d.int()
	}
	m.Checksum = d.bin()
	m.Data = d.bin()
	m.DataSerial = d.tid()
	return d.end()
}

// AddObject sends an object record during replication.
type AddObject struct {
	Oid         zodb.Oid
	Serial      zodb.Tid
	Compression int64
	Checksum    []byte
	Data        []byte
	DataSerial  zodb.Tid
}

func (*AddObject) Code() uint16 { return CodeAddObject }
func (m *AddObject) AppendArgs(b []byte) []byte {
	b = appendArray(b, 6)
	b = appendOid(b, m.Oid)
	b = appendTid(b, m.Serial)
	b = appendInt(b, m.Compression)
	b = appendBin(b, m.Checksum)
	b = appendBin(b, m.Data)
	return appendTid(b, m.DataSerial)
}
func (m *AddObject) DecodeArgs(a []byte) error {
	d := decArgs(a, 6)
	m.Oid = d.oid()
	m.Serial = d.tid()
	m.Compression = d.int()
	m.Checksum = d.bin()
	m.Data = d.bin()
	m.DataSerial = d.tid()
	return d.end()
}

// AskStoreObject stores an object revision in a transaction. Serial is
// the base revision (ZERO_TID for a new object).
type AskStoreObject struct {
	Oid         zodb.Oid
	Serial      zodb.Tid
	Compression int64
	Checksum    []byte
	Data        []byte
	DataSerial  zodb.Tid // NoTid unless undoing to another revision's data
	TTid        zodb.Tid
}

func (*AskStoreObject) Code() uint16 { return CodeAskStoreObject }
func (m *AskStoreObject) AppendArgs(b []byte) []byte {
	b = appendArray(b, 7)
	b = appendOid(b, m.Oid)
	b = appendTid(b, m.Serial)
	b = appendInt(b, m.Compression)
	b = appendBin(b, m.Checksum)
	b = appendBin(b, m.Data)
	b = appendTid(b, m.DataSerial)
	return appendTid(b, m.TTid)
}
func (m *AskStoreObject) DecodeArgs(a []byte) error {
	d := decArgs(a, 7)
	m.Oid = d.oid()
	m.Serial = d.tid()
	m.Compression = d.int()
	m.Checksum = d.bin()
	m.Data = d.bin()
	m.DataSerial = d.tid()
	m.TTid = d.tid()
	return d.end()
}

// AskCheckCurrentSerial checks that Serial is still the current
// revision (readCurrent).
type AskCheckCurrentSerial struct {
	TTid   zodb.Tid
	Oid    zodb.Oid
	Serial zodb.Tid
}

func (*AskCheckCurrentSerial) Code() uint16 { return CodeAskCheckCurrentSerial }
func (m *AskCheckCurrentSerial) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendTid(b, m.TTid)
	b = appendOid(b, m.Oid)
	return appendTid(b, m.Serial)
}
func (m *AskCheckCurrentSerial) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.TTid = d.tid()
	m.Oid = d.oid()
	m.Serial = d.tid()
	return d.end()
}

// AskTIDs asks for the tids in [First, Last) of the undo log, newest
// first; Partition 0xffffffff means all readable partitions.
type AskTIDs struct {
	First, Last int64
	Partition   uint32
}

func (*AskTIDs) Code() uint16 { return CodeAskTIDs }
func (m *AskTIDs) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendInt(b, m.First)
	b = appendInt(b, m.Last)
	return appendUint(b, uint64(m.Partition))
}
func (m *AskTIDs) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.First = d.int()
	m.Last = d.int()
	m.Partition = d.u32("partition")
	return d.end()
}

// AskTIDsFrom asks for tids in [MinTid, MaxTid] of a partition, oldest
// first.
type AskTIDsFrom struct {
	MinTid, MaxTid zodb.Tid
	Length         uint32
	Partition      uint32
}

func (*AskTIDsFrom) Code() uint16 { return CodeAskTIDsFrom }
func (m *AskTIDsFrom) AppendArgs(b []byte) []byte {
	b = appendArray(b, 4)
	b = appendTid(b, m.MinTid)
	b = appendTid(b, m.MaxTid)
	b = appendUint(b, uint64(m.Length))
	return appendUint(b, uint64(m.Partition))
}
func (m *AskTIDsFrom) DecodeArgs(a []byte) error {
	d := decArgs(a, 4)
	m.MinTid = d.tid()
	m.MaxTid = d.tid()
	m.Length = d.u32("length")
	m.Partition = d.u32("partition")
	return d.end()
}

// AskObjectHistory asks for an object's revisions [First, Last).
type AskObjectHistory struct {
	Oid         zodb.Oid
	First, Last int64
}

func (*AskObjectHistory) Code() uint16 { return CodeAskObjectHistory }
func (m *AskObjectHistory) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendOid(b, m.Oid)
	b = appendInt(b, m.First)
	return appendInt(b, m.Last)
}
func (m *AskObjectHistory) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.Oid = d.oid()
	m.First = d.int()
	m.Last = d.int()
	return d.end()
}

// AnswerObjectHistory answers AskObjectHistory, newest first.
type AnswerObjectHistory struct {
	Oid     zodb.Oid
	History []HistoryEntry
}

func (*AnswerObjectHistory) Code() uint16 { return CodeAnswerObjectHistory }
func (m *AnswerObjectHistory) AppendArgs(b []byte) []byte {
	b = appendOid(appendArray(b, 2), m.Oid)
	b = appendArray(b, len(m.History))
	for _, h := range m.History {
		b = appendTid(appendArray(b, 2), h.Serial)
		b = appendInt(b, h.Size)
	}
	return b
}
func (m *AnswerObjectHistory) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Oid = d.oid()
	n := d.arrayLen()
	m.History = make([]HistoryEntry, n)
	for i := range m.History {
		if d.arrayLen() != 2 {
			d.fail("history entry is not a pair")
			break
		}
		m.History[i] = HistoryEntry{Serial: d.tid(), Size: d.intRange(0, math.MaxInt64, "size")}
	}
	return d.end()
}
