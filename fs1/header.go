package fs1

import (
	"math"

	"github.com/zodbneo/zodbneo/zodb"
)

// TxnHeader is the header of a transaction record.
type TxnHeader struct {
	Pos    int64 // where the record starts
	Tid    zodb.Tid
	Len    int64 // tl as stored: the record spans [Pos, Pos+Len+8)
	Status zodb.TxnStatus

	User        []byte
	Description []byte
	Extension   []byte // raw pickle of a dict; empty for an empty dict
}

// HeaderLen returns the length of the header with its metadata.
func (h *TxnHeader) HeaderLen() int64 {
	return TxnHeaderFixLen + int64(len(h.User)+len(h.Description)+len(h.Extension))
}

// DataPos returns the position of the transaction's first data record
// (what Python's fsdump prints as "offset").
func (h *TxnHeader) DataPos() int64 { return h.Pos + h.HeaderLen() }

// DataEnd returns the end of the transaction's data records, where the
// redundant length is.
func (h *TxnHeader) DataEnd() int64 { return h.Pos + h.Len }

// End returns the end of the record: the position of the next transaction.
func (h *TxnHeader) End() int64 { return h.Pos + h.Len + txnTrailerLen }

// TxnInfo returns the transaction's metadata. The slices are shared with h.
func (h *TxnHeader) TxnInfo() zodb.TxnInfo {
	return zodb.TxnInfo{Tid: h.Tid, Status: h.Status, User: h.User,
		Description: h.Description, Extension: h.Extension}
}

// txnFix is the fixed part of a transaction header, decoded.
type txnFix struct {
	tid              zodb.Tid
	tl               uint64
	status           zodb.TxnStatus
	ulen, dlen, elen int
}

func decodeTxnFix(b []byte) txnFix {
	h := be(b)
	return txnFix{
		tid:    zodb.Tid(h.u64(txnOffTid)),
		tl:     h.u64(txnOffLen),
		status: zodb.TxnStatus(b[txnOffStatus]),
		ulen:   int(h.u16(txnOffUlen)),
		dlen:   int(h.u16(txnOffDlen)),
		elen:   int(h.u16(txnOffElen)),
	}
}

func (x *txnFix) metaLen() int { return x.ulen + x.dlen + x.elen }

// check validates a transaction header at pos in a file of the given size,
// in the order Python's read_index looks: a record that does not fit in
// the file is torn before it is anything else.
func (x *txnFix) check(pos, size int64) error {
	if x.tl > uint64(math.MaxInt64) || int64(x.tl) > size-pos-txnTrailerLen {
		return tornf("transaction of length %d runs past the end of the file (size %d)", x.tl, size)
	}
	switch x.status {
	case zodb.TxnComplete, zodb.TxnPacked, zodb.TxnInprogress, zodb.TxnUndone:
	default:
		return corruptf("invalid transaction status %q", byte(x.status))
	}
	if hl := uint64(TxnHeaderFixLen + x.metaLen()); x.tl < hl {
		return corruptf("transaction length %d shorter than its header (%d)", x.tl, hl)
	}
	return nil
}

// fill sets h from x; meta holds user, description and extension.
func (h *TxnHeader) fill(pos int64, x *txnFix, meta []byte) {
	h.Pos = pos
	h.Tid = x.tid
	h.Len = int64(x.tl)
	h.Status = x.status
	h.User = meta[:x.ulen:x.ulen]
	h.Description = meta[x.ulen : x.ulen+x.dlen : x.ulen+x.dlen]
	h.Extension = meta[x.ulen+x.dlen : x.metaLen() : x.metaLen()]
}

// DataHeader is the header of a data record.
type DataHeader struct {
	Pos        int64 // where the record starts
	Oid        zodb.Oid
	Tid        zodb.Tid
	PrevRevPos int64 // previous record of Oid, 0 if none
	TxnPos     int64 // the transaction record holding this one
	DataLen    int64 // plen: 0 means BackPos follows instead of data
	// BackPos is, when DataLen is 0, the record whose data this revision
	// has, or 0 when the revision deletes the object.
	BackPos int64
}

// RecordLen returns the length of the whole data record.
func (h *DataHeader) RecordLen() int64 {
	if h.DataLen == 0 {
		return DataHeaderLen + backPtrLen
	}
	return DataHeaderLen + h.DataLen
}

// End returns the position right after the record: the next data record
// of the transaction, or its redundant length.
func (h *DataHeader) End() int64 { return h.Pos + h.RecordLen() }

// DataPos returns where the record's own data (or backpointer) starts.
func (h *DataHeader) DataPos() int64 { return h.Pos + DataHeaderLen }

// minRecordPos is the smallest position a data record can have: right
// after the magic and an empty transaction header.
const minRecordPos = FileHeaderLen + TxnHeaderFixLen

// decode sets h from the 42-byte header b of the record at pos and checks
// what the header alone can tell: pointers go strictly backwards (so chains
// of them end), no version. Callers check DataLen against what holds the
// record. BackPos is left 0.
func (h *DataHeader) decode(b []byte, pos int64) error {
	d := be(b)
	h.Pos = pos
	h.Oid = zodb.Oid(d.u64(dataOffOid))
	h.Tid = zodb.Tid(d.u64(dataOffTid))
	prev, tpos, plen := d.u64(dataOffPrev), d.u64(dataOffTxnPos), d.u64(dataOffPlen)
	h.BackPos = 0
	if pos < minRecordPos {
		return corruptf("data record before the first transaction's data")
	}
	if vlen := d.u16(dataOffVlen); vlen != 0 {
		return corruptf("oid %s: non-zero version length %d", h.Oid, vlen)
	}
	if prev != 0 && (prev < minRecordPos || prev >= uint64(pos)) {
		return corruptf("oid %s: invalid previous record pointer %d", h.Oid, prev)
	}
	if tpos < FileHeaderLen || tpos > uint64(pos-TxnHeaderFixLen) {
		return corruptf("oid %s: invalid transaction pointer %d", h.Oid, tpos)
	}
	h.PrevRevPos, h.TxnPos = int64(prev), int64(tpos)
	if plen > uint64(math.MaxInt64-pos-DataHeaderLen) {
		return corruptf("oid %s: invalid data length %d", h.Oid, plen)
	}
	h.DataLen = int64(plen)
	return nil
}

// decodeBack sets h.BackPos from the 8 bytes following a header whose
// DataLen is 0.
func (h *DataHeader) decodeBack(b []byte) error {
	back := be(b).u64(0)
	if back != 0 && (back < minRecordPos || back >= uint64(h.Pos)) {
		return corruptf("oid %s: invalid backpointer %d", h.Oid, back)
	}
	h.BackPos = int64(back)
	return nil
}
