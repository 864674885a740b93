package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"bytes"
	"encoding/binary"
	"math"
	"math/big"
)

// This file holds the readers of the protocol 0 text arguments (a line
// ending in a newline) and of the binary numbers.

// readStringnl reads stringnl (a quoted, escaped string: STRING),
// stringnl_noescape (PERSID) and stringnl_noescape_pair (two lines joined
// by a blank: GLOBAL, INST). All of them undo escapes and must give ASCII.
func (r *reader) readStringnl(k argKind) (value, error) {
	line, err := r.stringnl(k == argStringnl)
	if err != nil {
		return value{}, err
	}
	if k == argStringnlNoescapePair {
		second, err := r.stringnl(false)
		if err != nil {
			return value{}, err
		}
		pair := make([]byte, 0, len(line)+1+len(second))
		line = append(append(append(pair, line...), ' '), second...)
	}
	return value{kind: strValue, s: pyStr{enc: latin1, b: line}}, nil
}

// stringnl reads one line, strips its quotes when asked, and decodes its
// escapes into ASCII text.
func (r *reader) stringnl(stripQuotes bool) ([]byte, error) {
	data, err := r.readline("stringnl")
	if err != nil {
		return nil, err
	}
	if stripQuotes {
		if data, err = stripStringQuotes(data); err != nil {
			return nil, err
		}
	}
	text, err := escapeDecode(data)
	if err != nil {
		return nil, err
	}
	return text, checkASCII(text)
}

// stripStringQuotes removes the quotes around a STRING argument; a lone
// quote character counts as an empty quoted string, as in pickletools.
func stripStringQuotes(data []byte) ([]byte, error) {
	for _, q := range []byte{'"', '\''} {
		if len(data) == 0 || data[0] != q {
			continue
		}
		if data[len(data)-1] != q {
			return nil, valueError("strinq quote %s not found at both ends of %s",
				pyquote.AppendBytesRepr(nil, []byte{q}), pyquote.AppendBytesRepr(nil, data))
		}
		if len(data) == 1 {
			return data[:0], nil
		}
		return data[1 : len(data)-1], nil
	}
	return nil, valueError("no string quotes around %s", pyquote.AppendBytesRepr(nil, data))
}

// readDecimalnl reads decimalnl_short (INT, GET, PUT: "00" and "01" are
// False and True, a trailing L is refused) and decimalnl_long (LONG: a
// trailing L is dropped).
func (r *reader) readDecimalnl(k argKind) (value, error) {
	s, err := r.readline("stringnl")
	if err != nil {
		return value{}, err
	}
	if k == argDecimalnlLong {
		s = bytes.TrimSuffix(s, []byte("L"))
		return parsePyInt(s)
	}
	if bytes.HasSuffix(s, []byte("L")) {
		return value{}, valueError("trailing 'L' not allowed in %s", pyquote.AppendBytesRepr(nil, s))
	}
	switch string(s) {
	case "00":
		return value{kind: boolValue, i: 0}, nil
	case "01":
		return value{kind: boolValue, i: 1}, nil
	}
	return parsePyInt(s)
}

// readNumber reads floatnl, float8, long1 and long4.
func (r *reader) readNumber(k argKind) (value, error) {
	switch k {
	case argFloatnl:
		s, err := r.readline("stringnl")
		if err != nil {
			return value{}, err
		}
		f, err := parsePyFloat(s)
		return value{kind: floatValue, f: f}, err
	case argFloat8:
		b, err := r.readFixed(8, "float8")
		if err != nil {
			return value{}, err
		}
		return value{kind: floatValue, f: math.Float64frombits(binary.BigEndian.Uint64(b))}, nil
	case argLong1:
		n, err := r.uint1()
		if err != nil {
			return value{}, err
		}
		return r.long(n, "long1")
	}
	n, err := r.int4()
	if err != nil {
		return value{}, err
	}
	if n < 0 {
		return value{}, valueError("long4 byte count < 0: %d", n)
	}
	return r.long(uint64(n), "long4")
}

// long reads n bytes of a little-endian two's complement integer.
func (r *reader) long(n uint64, name string) (value, error) {
	b := r.read(n)
	if uint64(len(b)) != n {
		return value{}, valueError("not enough data in stream to read %s", name)
	}
	return decodeLong(b), nil
}

func decodeLong(b []byte) value {
	if len(b) == 0 {
		return intValueOf(0)
	}
	if len(b) <= 8 {
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		shift := uint(64 - 8*len(b))
		return intValueOf(int64(u<<shift) >> shift)
	}
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	x := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return bigValue(x)
}
