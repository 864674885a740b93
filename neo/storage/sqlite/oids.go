package sqlite

import (
	"encoding/binary"
	"fmt"

	"github.com/zodbneo/zodbneo/zodb"
)

// The oids column of trans, ttrans and pack is the concatenation of
// 8-byte big-endian oids (NEO/py's b”.join(oid_list)).
const oidLen = 8

// DecodeOids splits an oids column; its length must be a multiple of 8.
func DecodeOids(b []byte) ([]zodb.Oid, error) {
	if len(b)%oidLen != 0 {
		return nil, fmt.Errorf("%w: oids column of %d bytes is not a multiple of %d", zodb.ErrCorrupt, len(b), oidLen)
	}
	if len(b) == 0 {
		return nil, nil
	}
	oids := make([]zodb.Oid, len(b)/oidLen)
	for i := range oids {
		oids[i] = zodb.Oid(binary.BigEndian.Uint64(b[i*oidLen:]))
	}
	return oids, nil
}

// EncodeOids is DecodeOids' inverse.
func EncodeOids(oids []zodb.Oid) []byte {
	b := make([]byte, 0, len(oids)*oidLen)
	for _, o := range oids {
		b = binary.BigEndian.AppendUint64(b, uint64(o))
	}
	return b
}
