package tools

import (
	"encoding/hex"
	"strconv"

	"github.com/zodbneo/zodbneo/zodb"
)

// DumpTxn is one transaction read from a dump.
type DumpTxn struct {
	zodb.TxnInfo
	Line int // of its "txn" line, counting from 1
	Objs []DumpObj
}

// DumpObjKind says what an obj entry of a dump holds.
type DumpObjKind uint8

const (
	// DumpData is new data: "obj <oid> <size> <hashfunc>:<hash>", then the
	// data on the next lines, or " -" for a hash-only dump.
	DumpData DumpObjKind = iota
	// DumpDelete is a deletion: "obj <oid> delete".
	DumpDelete
	// DumpCopy is the data of an earlier revision — an undo, which
	// FileStorage records as a backpointer: "obj <oid> from <tid>".
	DumpCopy
)

// DumpObj is one obj entry of a dump.
type DumpObj struct {
	Oid  zodb.Oid
	Kind DumpObjKind
	Line int // of its "obj" line

	CopyFrom zodb.Tid // DumpCopy: the transaction whose revision it copies

	// DumpData: the data's size and hash, and the data itself unless the
	// entry is hash-only. The hash was checked against the data.
	Size     int64
	HashFunc string
	Hash     []byte
	HashOnly bool
	Data     []byte
}

// AppendDump appends t in the dump format and returns the extended slice:
// what zodbtools' Transaction.zdump writes. For a transaction Dump wrote,
// it is the text Dump wrote.
func (t *DumpTxn) AppendDump(dst []byte) []byte {
	dst = append(dst, "txn "...)
	dst = appendHex64(dst, uint64(t.Tid))
	dst = append(dst, ' ')
	dst = AppendQuote(dst, []byte{byte(t.Status)})
	for _, m := range []struct {
		name  string
		value []byte
	}{{"\nuser ", t.User}, {"\ndescription ", t.Description}, {"\nextension ", t.Extension}} {
		dst = append(dst, m.name...)
		dst = AppendQuote(dst, m.value)
	}
	dst = append(dst, '\n')
	for i := range t.Objs {
		dst = t.Objs[i].appendDump(dst)
	}
	return append(dst, '\n')
}

func (o *DumpObj) appendDump(dst []byte) []byte {
	dst = append(dst, "obj "...)
	dst = appendHex64(dst, uint64(o.Oid))
	switch o.Kind {
	case DumpDelete:
		dst = append(dst, " delete"...)
	case DumpCopy:
		dst = append(dst, " from "...)
		dst = appendHex64(dst, uint64(o.CopyFrom))
	default:
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, o.Size, 10)
		dst = append(dst, ' ')
		dst = append(dst, o.HashFunc...)
		dst = append(dst, ':')
		dst = hex.AppendEncode(dst, o.Hash)
		if o.HashOnly {
			dst = append(dst, " -"...)
			break
		}
		dst = append(dst, '\n')
		dst = append(dst, o.Data...)
	}
	return append(dst, '\n')
}
