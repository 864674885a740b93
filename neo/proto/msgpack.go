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
func objLen(b []byte) (int, error) {
	var stack [maxDepth + 2]int // the scan never opens more: no allocation
	n, _, err := scanObj(b, 0, append(stack[:0], 1))
	return n, err
}

// scanner finds where a msgpack object ends, and can resume: when the
// object is incomplete it keeps how far it got, so that a stream reader
// receiving a large packet in many small reads scans each byte once
// instead of the whole packet again after every read.
type scanner struct {
	pos  int   // length of the object's part scanned so far
	left []int // items still to scan in each open container, innermost last
}

// scan goes on scanning the object at the start of b, which holds at
// least what the previous call saw (a scanner's first call starts at
// its beginning). It returns the object's length, or an error wrapping
// errIncomplete saying how many bytes the object takes at least, or an
// error for what is not msgpack; after a result other than incomplete the
// next call starts a new object.
func (s *scanner) scan(b []byte) (int, error) {
	if len(s.left) == 0 {
		s.pos, s.left = 0, append(s.left[:0], 1)
	}
	n, left, err := scanObj(b, s.pos, s.left)
	s.left = left
	if err == nil {
		s.left = s.left[:0]
		return n, nil
	}
	if errors.Is(err, errIncomplete) {
		s.pos = n
	} else {
		s.left = s.left[:0]
	}
	return 0, err
}

// scanObj scans b from pos, left holding the items still to scan in each
// open container (innermost last). It returns where it got: the object's
// end when it is complete; on an incomplete object, how far the scan got
// with the containers still open (and an error saying how many bytes the
// object takes at least).
func scanObj(b []byte, pos int, left []int) (int, []int, error) {
	for len(left) > 0 {
		top := len(left) - 1
		if left[top] == 0 {
			left = left[:top]
			continue
		}
		if top > maxDepth {
			return pos, left, fmt.Errorf("msgpack nested deeper than %d", maxDepth)
		}
		hdr, size, items, err := objHead(b[pos:])
		if err != nil {
			var ie *incompleteError
			if errors.As(err, &ie) {
				return pos, left, &incompleteError{need: pos + ie.need}
			}
			return pos, left, err
		}
		if end := pos + hdr + size; end > len(b) {
			return pos, left, &incompleteError{need: end}
		}
		left[top]--
		pos += hdr + size
		if items > 0 {
			left = append(left, items)
		}
	}
	return pos, left, nil
}

// objHead decodes the header of the msgpack object at the start of b: the
// header's length, the length of the payload that follows it, and the
// number of nested objects after that (array items, map keys and values).
func objHead(b []byte) (hdr, size, items int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, &incompleteError{need: 1}
	}
	c := b[0]
	hdr = 1
	need := func(n int) (int, error) {
		if len(b) < n {
			return 0, &incompleteError{need: n}
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
		return 0, 0, 0, fmt.Errorf("invalid msgpack byte %#02x", c)
	}
	return hdr, size, items, err
}

// incompleteError is errIncomplete knowing how many bytes, from the start
// of the object, it takes at least: a stream reader waits for that many
// before it looks again.
type incompleteError struct{ need int }

func (e *incompleteError) Error() string        { return errIncomplete.Error() }
func (e *incompleteError) Is(target error) bool { return target == errIncomplete }

// bytesNeeded returns how many bytes an incomplete object takes at least,
// as err says, or have+1 when err does not say.
func bytesNeeded(err error, have int) int {
	var ie *incompleteError
	if errors.As(err, &ie) && ie.need > have {
		return ie.need
	}
	return have + 1
}
