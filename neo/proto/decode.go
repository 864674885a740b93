package proto

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// dec reads msgpack values from a packet's argument bytes. It keeps its
// first error (sticky), so a packet's decodeArgs reads every field and
// checks once at the end; after an error every read returns a zero value.
type dec struct {
	b   []byte
	off int
	err error
}

func (d *dec) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: "+format, append([]any{d.off}, args...)...)
	}
}

// next returns the bytes of the next whole object and skips them.
func (d *dec) next() []byte {
	if d.err != nil {
		return nil
	}
	n, err := objLen(d.b[d.off:])
	if err != nil {
		d.fail("%w", err)
		return nil
	}
	o := d.b[d.off : d.off+n]
	d.off += n
	return o
}

// peekNil reports whether the next object is nil, consuming it if so.
func (d *dec) peekNil() bool {
	if d.err == nil && d.off < len(d.b) && d.b[d.off] == 0xc0 {
		d.off++
		return true
	}
	return false
}

// arrayLen reads an array header.
func (d *dec) arrayLen() int { return d.containerLen(0x90, 0xdc, 0xdd, 1, "an array") }

// mapLen reads a map header.
func (d *dec) mapLen() int { return d.containerLen(0x80, 0xde, 0xdf, 2, "a map") }

// containerLen reads the header of an array or a map: fix is its fix
// form's high nibble, c16 and c32 its 16- and 32-bit forms, per the objects
// one item holds (1 for arrays, 2 for maps).
func (d *dec) containerLen(fix, c16, c32 byte, per int, kind string) int {
	if d.err != nil {
		return 0
	}
	b := d.b[d.off:]
	if len(b) == 0 {
		d.fail("%w", errIncomplete)
		return 0
	}
	var n, h int
	switch c := b[0]; {
	case c&0xf0 == fix:
		n, h = int(c&0x0f), 1
	case c == c16 && len(b) >= 3:
		n, h = int(binary.BigEndian.Uint16(b[1:])), 3
	case c == c32 && len(b) >= 5:
		n, h = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		d.fail("want %s, got byte %#02x", kind, c)
		return 0
	}
	// Every object takes at least a byte: a bound before allocating.
	if n < 0 || n > (len(b)-h)/per {
		d.fail("%s of %d items past the end", strings.TrimPrefix(strings.TrimPrefix(kind, "an "), "a "), n)
		return 0
	}
	d.off += h
	return n
}

// int reads any msgpack integer.
func (d *dec) int() int64 {
	o := d.next()
	if o == nil {
		return 0
	}
	switch c := o[0]; {
	case c <= 0x7f:
		return int64(c)
	case c >= 0xe0:
		return int64(int8(c))
	case c == 0xcc:
		return int64(o[1])
	case c == 0xcd:
		return int64(binary.BigEndian.Uint16(o[1:]))
	case c == 0xce:
		return int64(binary.BigEndian.Uint32(o[1:]))
	case c == 0xcf:
		v := binary.BigEndian.Uint64(o[1:])
		if v > math.MaxInt64 {
			d.fail("integer %d out of range", v)
		}
		return int64(v)
	case c == 0xd0:
		return int64(int8(o[1]))
	case c == 0xd1:
		return int64(int16(binary.BigEndian.Uint16(o[1:])))
	case c == 0xd2:
		return int64(int32(binary.BigEndian.Uint32(o[1:])))
	case c == 0xd3:
		return int64(binary.BigEndian.Uint64(o[1:]))
	}
	d.off -= len(o)
	d.fail("want an integer, got byte %#02x", o[0])
	return 0
}

// intRange reads an integer that must lie in [lo, hi].
func (d *dec) intRange(lo, hi int64, what string) int64 {
	v := d.int()
	if v < lo || v > hi {
		d.fail("%s %d out of range", what, v)
		return 0
	}
	return v
}

func (d *dec) u32(what string) uint32 { return uint32(d.intRange(0, math.MaxUint32, what)) }

func (d *dec) bool() bool {
	o := d.next()
	if o == nil {
		return false
	}
	switch o[0] {
	case 0xc2:
		return false
	case 0xc3:
		return true
	}
	d.off -= len(o)
	d.fail("want a bool, got byte %#02x", o[0])
	return false
}

func (d *dec) float() float64 {
	o := d.next()
	if o == nil {
		return 0
	}
	switch o[0] {
	case 0xcb:
		return math.Float64frombits(binary.BigEndian.Uint64(o[1:]))
	case 0xca:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(o[1:])))
	}
	d.off -= len(o)
	d.fail("want a float, got byte %#02x", o[0])
	return 0
}

// bin reads a bin (or str, as msgpack-python accepts) and returns a slice
// of the packet's bytes, not a copy.
func (d *dec) bin() []byte {
	o := d.next()
	if o == nil {
		return nil
	}
	switch c := o[0]; {
	case c&0xe0 == 0xa0:
		return o[1:]
	case c == 0xc4, c == 0xd9:
		return o[2:]
	case c == 0xc5, c == 0xda:
		return o[3:]
	case c == 0xc6, c == 0xdb:
		return o[5:]
	}
	d.off -= len(o)
	d.fail("want bytes, got byte %#02x", o[0])
	return nil
}

// u64 reads an 8-byte bin (a tid or an oid), or nil as NoTid.
func (d *dec) u64() uint64 {
	if d.peekNil() {
		return math.MaxUint64
	}
	b := d.bin()
	if d.err != nil {
		return 0
	}
	if len(b) != 8 {
		d.fail("want 8 bytes, got %d", len(b))
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// enum reads a fixext1 enum of the given ext type.
func (d *dec) enum(typ byte, max byte) byte {
	o := d.next()
	if o == nil {
		return 0
	}
	if o[0] != 0xd4 || o[1] != typ || o[2] > max {
		d.off -= len(o)
		d.fail("want enum type %d (0..%d), got % x", typ, max, o)
		return 0
	}
	return o[2]
}

// end checks that all the bytes were read.
func (d *dec) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d bytes left over", len(d.b)-d.off)
	}
	return d.err
}
