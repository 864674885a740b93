package fs1

import "encoding/binary"

// The two magics a FileStorage starts with.
const (
	Magic21 = "FS21" // written by Python 2 ZODB
	Magic30 = "FS30" // written by Python 3 ZODB
)

const (
	// FileHeaderLen is the length of the magic: the first transaction
	// starts there.
	FileHeaderLen = 4

	// TxnHeaderFixLen is the fixed part of a transaction header:
	// tid 8, tl 8, status 1, ulen 2, dlen 2, elen 2.
	TxnHeaderFixLen = 8 + 8 + 1 + 2 + 2 + 2

	// txnTrailerLen is the redundant copy of tl closing a transaction.
	txnTrailerLen = 8

	// DataHeaderLen is the header of a data record:
	// oid 8, tid 8, prev 8, txn pos 8, vlen 2, plen 8.
	DataHeaderLen = 8 + 8 + 8 + 8 + 2 + 8

	// backPtrLen is the backpointer stored instead of data when plen is 0.
	backPtrLen = 8
)

// Field offsets inside the headers.
const (
	txnOffTid    = 0
	txnOffLen    = 8
	txnOffStatus = 16
	txnOffUlen   = 17
	txnOffDlen   = 19
	txnOffElen   = 21

	dataOffOid    = 0
	dataOffTid    = 8
	dataOffPrev   = 16
	dataOffTxnPos = 24
	dataOffVlen   = 32
	dataOffPlen   = 34
)

// be decodes big-endian integers at fixed offsets of a header.
type be []byte

func (b be) u16(off int) uint16 { return binary.BigEndian.Uint16(b[off:]) }
func (b be) u64(off int) uint64 { return binary.BigEndian.Uint64(b[off:]) }
