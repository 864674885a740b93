package zodb

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// Tid identifies a transaction. It is also a time: see TimeStamp.
type Tid uint64

// Oid identifies an object.
type Oid uint64

const (
	// TidMax is the greatest tid ZODB can use: p64(2**63 - 1), Python
	// ZODB's utils.maxtid.
	TidMax Tid = 1<<63 - 1
	// InvalidTid is the zero tid; ZODB's z64 stands for "no transaction".
	InvalidTid Tid = 0
)

// String returns the tid as 16 lower-case hex digits, as zodbtools prints it.
func (t Tid) String() string { return hex16(uint64(t)) }

// String returns the oid as 16 lower-case hex digits, as zodbtools prints it.
func (o Oid) String() string { return hex16(uint64(o)) }

// Bytes returns the tid as ZODB's 8-byte big-endian string.
func (t Tid) Bytes() []byte { return p64(uint64(t)) }

// Bytes returns the oid as ZODB's 8-byte big-endian string.
func (o Oid) Bytes() []byte { return p64(uint64(o)) }

func p64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func hex16(v uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return hex.EncodeToString(b[:])
}

// ParseTid parses 16 hex digits into a tid.
func ParseTid(s string) (Tid, error) {
	v, err := parseHex64(s)
	if err != nil {
		return 0, fmt.Errorf("zodb: invalid tid %q: %w", s, err)
	}
	return Tid(v), nil
}

// ParseOid parses 16 hex digits into an oid.
func ParseOid(s string) (Oid, error) {
	v, err := parseHex64(s)
	if err != nil {
		return 0, fmt.Errorf("zodb: invalid oid %q: %w", s, err)
	}
	return Oid(v), nil
}

func parseHex64(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("want 16 hex digits, have %d characters", len(s))
	}
	var b [8]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return 0, fmt.Errorf("not hexadecimal")
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// Xid names an object revision as seen by a database state: the revision of
// Oid that was current at transaction At.
type Xid struct {
	At  Tid
	Oid Oid
}

// String returns the xid in zodbtools' catobj form: <oid>@<tid>.
func (x Xid) String() string { return x.Oid.String() + "@" + x.At.String() }

// ParseXid parses an xid as zodbtools catobj takes it: <oid>@<tid>, or the
// older <oid>:<tid>.
func ParseXid(s string) (Xid, error) {
	sep := strings.IndexAny(s, "@:")
	if sep < 0 {
		return Xid{}, fmt.Errorf("zodb: invalid xid %q: want <oid>@<tid>", s)
	}
	oid, err := ParseOid(s[:sep])
	if err != nil {
		return Xid{}, fmt.Errorf("zodb: invalid xid %q: %w", s, err)
	}
	at, err := ParseTid(s[sep+1:])
	if err != nil {
		return Xid{}, fmt.Errorf("zodb: invalid xid %q: %w", s, err)
	}
	return Xid{At: at, Oid: oid}, nil
}
