package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// errIncomplete reports that a msgpack object goes past the end of the
// bytes at hand: a stream reader reads more, a packet decoder fails.
var errIncomplete = errors.New("truncated msgpack object")

// maxDepth bounds the nesting of msgpack containers, so that a hostile
// stream of nested arrays cannot exhaust the stack.
const maxDepth = 32

// The append helpers write the forms NEO/py's msgpack packer produces:
// the smallest integer format (unsigned forms for non-negative values),
// bin for bytes, float64 for floats.

func appendNil(b []byte) []byte { return append(b, 0xc0) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}

func appendUint(b []byte, v uint64) []byte {
	switch {
	case v < 0x80:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xcf), v)
}

func appendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0:
		return appendUint(b, uint64(v))
	case v >= -32:
		return append(b, byte(v))
	case v >= math.MinInt8:
		return append(b, 0xd0, byte(v))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(v))
}

func appendFloat(b []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(v))
}

func appendBin(b []byte, v []byte) []byte {
	n := len(v)
	switch {
	case n <= math.MaxUint8:
		b = append(b, 0xc4, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0xc5), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xc6), uint32(n))
	}
	return append(b, v...)
}

func appendArray(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x90|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xdd), uint32(n))
}

func appendMap(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x80|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, 0xde), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xdf), uint32(n))
}

// appendU64 writes an 8-byte big-endian bin (a tid or an oid).
func appendU64(b []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(append(b, 0xc4, 8), v)
}

// objLen returns the length of the msgpack object at the start of b,
// errIncomplete if b ends inside it, another error if it is not msgpack.
func objLen(b []byte) (int, error) { return objLenDepth(b, 0) }

func objLenDepth(b []byte, depth int) (int, error) {
	if depth > maxDepth {
		return 0, fmt.Errorf("msgpack nested deeper than %d", maxDepth)
	}
	if len(b) == 0 {
		return 0, errIncomplete
	}
	c := b[0]
	hdr, size, items := 1, 0, 0 // items: number of nested objects that follow
	need := func(n int) (int, error) {
		if len(b) < n {
			return 0, errIncomplete
		}
		switch n {
		case 2:
			return int(b[1]), nil
		case 3:
			return int(binary.BigEndian.Uint16(b[1:])), nil
		}
		v := binary.BigEndian.Uint32(b[1:])
		if v > math.MaxInt32 {
			return 0, fmt.Errorf("msgpack length %d too large", v)
		}
		return int(v), nil
	}
	var err error
	switch {
	case c <= 0x7f, c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
	case c&0xf0 == 0x80:
		items = 2 * int(c&0x0f)
	case c&0xf0 == 0x90:
		items = int(c & 0x0f)
	case c&0xe0 == 0xa0:
		size = int(c & 0x1f)
	case c == 0xc4, c == 0xd9:
		hdr = 2
		size, err = need(2)
	case c == 0xc5, c == 0xda:
		hdr = 3
		size, err = need(3)
	case c == 0xc6, c == 0xdb:
		hdr = 5
		size, err = need(5)
	case c == 0xc7:
		hdr = 3
		size, err = need(2)
		size++
	case c == 0xc8:
		hdr = 4
		size, err = need(3)
		size++
	case c == 0xc9:
		hdr = 6
		size, err = need(5)
		size++
	case c == 0xca:
		size = 4
	case c == 0xcb:
		size = 8
	case c == 0xcc, c == 0xd0:
		size = 1
	case c == 0xcd, c == 0xd1:
		size = 2
	case c == 0xce, c == 0xd2:
		size = 4
	case c == 0xcf, c == 0xd3:
		size = 8
	case c >= 0xd4 && c <= 0xd8:
		size = 1 + 1<<(c-0xd4)
	case c == 0xdc:
		hdr = 3
		items, err = need(3)
	case c == 0xdd:
		hdr = 5
		items, err = need(5)
	case c == 0xde:
		hdr = 3
		items, err = need(3)
		items *= 2
	case c == 0xdf:
		hdr = 5
		items, err = need(5)
		items *= 2
	default: // 0xc1
		return 0, fmt.Errorf("invalid msgpack byte %#02x", c)
	}
	if err != nil {
		return 0, err
	}
	n := hdr + size
	if n > len(b) {
		return 0, errIncomplete
	}
	for i := 0; i < items; i++ {
		if n >= len(b) {
			return 0, errIncomplete
		}
		m, err := objLenDepth(b[n:], depth+1)
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}
