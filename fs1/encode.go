package fs1

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The encoders below write records in the layout drawn in doc.go, the
// inverse of the decoders in header.go. They append to a byte slice so
// that a writer builds a whole transaction in one buffer and hands it to
// the file in one write. They trust the positions they are given: the
// caller (the storage's commit, pack) computes them.

// maxMetaLen is the largest user, description or extension a transaction
// header can hold: each length is stored in 2 bytes.
const maxMetaLen = math.MaxUint16

// CheckTxnMeta says whether a transaction's metadata fits in a header:
// Python's FileStorage._begin refuses the same lengths.
func CheckTxnMeta(user, description, extension []byte) error {
	for _, m := range []struct {
		what string
		b    []byte
	}{{"user", user}, {"description", description}, {"extension", extension}} {
		if len(m.b) > maxMetaLen {
			return fmt.Errorf("fs1: transaction %s too long: %d bytes, at most %d", m.what, len(m.b), maxMetaLen)
		}
	}
	return nil
}

// TxnLen returns the length tl to store in the header of a transaction
// with h's metadata and dataLen bytes of data records.
func TxnLen(h *TxnHeader, dataLen int64) int64 { return h.HeaderLen() + dataLen }

// AppendTxnHeader appends the header of the transaction h — tid, h.Len as
// tl, status and the three metadata lengths, then user, description and
// extension — to dst. h.Pos is not stored.
//
// Errors: metadata longer than a header can hold (see CheckTxnMeta), or a
// length h.Len shorter than the header itself.
func AppendTxnHeader(dst []byte, h *TxnHeader) ([]byte, error) {
	if err := CheckTxnMeta(h.User, h.Description, h.Extension); err != nil {
		return dst, err
	}
	if h.Len < h.HeaderLen() {
		return dst, fmt.Errorf("fs1: transaction %s: length %d shorter than its header (%d)", h.Tid, h.Len, h.HeaderLen())
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.Tid))
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.Len))
	dst = append(dst, byte(h.Status))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.User)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.Description)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.Extension)))
	dst = append(dst, h.User...)
	dst = append(dst, h.Description...)
	return append(dst, h.Extension...), nil
}

// AppendTxnTrailer appends the redundant copy of tl that closes a
// transaction record.
func AppendTxnTrailer(dst []byte, tl int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(tl))
}

// AppendDataHeader appends the 42-byte header of the data record h — oid,
// tid, previous record, transaction position, a zero version length and
// h.DataLen — to dst. When h.DataLen is 0 the record has no data of its
// own and h.BackPos follows as its backpointer (0 for a deletion); else
// the caller appends the h.DataLen bytes of data. h.Pos is not stored.
func AppendDataHeader(dst []byte, h *DataHeader) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.Oid))
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.Tid))
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.PrevRevPos))
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.TxnPos))
	dst = binary.BigEndian.AppendUint16(dst, 0) // versions are gone
	dst = binary.BigEndian.AppendUint64(dst, uint64(h.DataLen))
	if h.DataLen == 0 {
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.BackPos))
	}
	return dst
}

// AppendDataRecord appends a whole data record: h's header with DataLen
// set to len(data), then data. Empty data makes a record with the
// backpointer h.BackPos instead, as the format has no empty data.
func AppendDataRecord(dst []byte, h *DataHeader, data []byte) []byte {
	h.DataLen = int64(len(data))
	dst = AppendDataHeader(dst, h)
	return append(dst, data...)
}
