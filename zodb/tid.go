package zodb

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
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

// ParseXid parses an object address in either of the forms zodbtools and
// zodbneo use:
//
//   - <oid>@<tid>, zodbneo's own form (Xid.String);
//   - <tid>:<oid>, zodbtools' form (util.parse_xid): the tid may also be a
//     date, as in tid ranges, and the oid may be written as ZODB's oid_repr
//     does (0x-prefixed, leading zeros dropped).
//
// Dates are read relative to now.
func ParseXid(s string, now time.Time) (Xid, error) {
	var oidText, tidText string
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		oidText, tidText = s[:i], s[i+1:]
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		tidText, oidText = s[:i], s[i+1:]
	} else {
		return Xid{}, fmt.Errorf("zodb: invalid xid %q: want <oid>@<tid> or <tid>:<oid>", s)
	}
	oid, err := parseOidRepr(oidText)
	if err != nil {
		return Xid{}, fmt.Errorf("zodb: invalid xid %q: %w", s, err)
	}
	at, err := parseTidOrTime(tidText, now)
	if err != nil {
		return Xid{}, fmt.Errorf("zodb: invalid xid %q: %w", s, err)
	}
	return Xid{At: at, Oid: oid}, nil
}

// parseOidRepr reads an oid as 16 hex digits or as ZODB's repr_to_oid reads
// it: an optional 0x prefix and up to 16 hex digits.
func parseOidRepr(s string) (Oid, error) {
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if h == "" || len(h) > 16 {
		return 0, fmt.Errorf("invalid oid %q", s)
	}
	v, err := strconv.ParseUint(h, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid oid %q: not hexadecimal", s)
	}
	return Oid(v), nil
}
