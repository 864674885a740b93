package pickledis

import (
	"encoding/binary"
	"math"
	"math/big"
)

// argKind names the argument descriptor of an opcode in pickletools
// (uint1, stringnl, long4, ...); the reader for each decodes the argument
// that follows the opcode byte and fails with pickletools' message.
type argKind uint8

const (
	argNone argKind = iota
	argUint1
	argUint2
	argInt4
	argUint4
	argUint8
	argStringnl
	argStringnlNoescape
	argStringnlNoescapePair
	argString1
	argString4
	argBytes1
	argBytes4
	argBytes8
	argBytearray8
	argUnicodestringnl
	argUnicodestring1
	argUnicodestring4
	argUnicodestring8
	argDecimalnlShort
	argDecimalnlLong
	argFloatnl
	argFloat8
	argLong1
	argLong4
)

// reader is the pickle stream: what Python's BytesIO gives the readers.
type reader struct {
	in  []byte
	pos int
}

// read returns the next n bytes, or all that remain if fewer, like read(n).
func (r *reader) read(n uint64) []byte {
	if rest := uint64(len(r.in) - r.pos); n > rest {
		n = rest
	}
	b := r.in[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b
}

// readFixed reads an n-byte field, failing as read_<name> does when the
// stream ends first.
func (r *reader) readFixed(n int, name string) ([]byte, error) {
	b := r.read(uint64(n))
	if len(b) != n {
		return nil, valueError("not enough data in stream to read %s", name)
	}
	return b, nil
}

// readCounted reads a field of n bytes whose count came before it.
func (r *reader) readCounted(n uint64, name string) ([]byte, error) {
	if n > math.MaxInt64 {
		return nil, valueError("%s byte count > sys.maxsize: %d", name, n)
	}
	b := r.read(n)
	if uint64(len(b)) != n {
		return nil, valueError("expected %d bytes in a %s, but only %d remain", n, name, len(b))
	}
	return b, nil
}

// readline returns the rest of the line without its newline, failing as
// read_<name> does when the stream ends first.
func (r *reader) readline(name string) ([]byte, error) {
	for i := r.pos; i < len(r.in); i++ {
		if r.in[i] == '\n' {
			b := r.in[r.pos:i]
			r.pos = i + 1
			return b, nil
		}
	}
	r.pos = len(r.in)
	return nil, valueError("no newline found when trying to read %s", name)
}

func (r *reader) uint1() (uint64, error) {
	b, err := r.readFixed(1, "uint1")
	if err != nil {
		return 0, err
	}
	return uint64(b[0]), nil
}

func (r *reader) uint4(name string) (uint64, error) {
	b, err := r.readFixed(4, name)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint32(b)), nil
}

func (r *reader) int4() (int64, error) {
	b, err := r.readFixed(4, "int4")
	if err != nil {
		return 0, err
	}
	return int64(int32(binary.LittleEndian.Uint32(b))), nil
}

func (r *reader) uint8() (uint64, error) {
	b, err := r.readFixed(8, "uint8")
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// readArg reads the argument of kind k.
func (r *reader) readArg(k argKind) (value, error) {
	switch k {
	case argNone:
		return value{}, nil
	case argUint1, argUint2, argInt4, argUint4, argUint8:
		return r.readInt(k)
	case argStringnl, argStringnlNoescape, argStringnlNoescapePair:
		return r.readStringnl(k)
	case argString1, argString4, argBytes1, argBytes4, argBytes8, argBytearray8:
		return r.readCountedBytes(k)
	case argUnicodestringnl, argUnicodestring1, argUnicodestring4, argUnicodestring8:
		return r.readUnicode(k)
	case argDecimalnlShort, argDecimalnlLong:
		return r.readDecimalnl(k)
	}
	return r.readNumber(k)
}

func (r *reader) readInt(k argKind) (value, error) {
	var u uint64
	var err error
	switch k {
	case argUint1:
		u, err = r.uint1()
	case argUint2:
		var b []byte
		if b, err = r.readFixed(2, "uint2"); err == nil {
			u = uint64(binary.LittleEndian.Uint16(b))
		}
	case argInt4:
		i, err := r.int4()
		return intValueOf(i), err
	case argUint4:
		u, err = r.uint4("uint4")
	default:
		u, err = r.uint8()
	}
	if err != nil {
		return value{}, err
	}
	if u > math.MaxInt64 {
		return bigValue(new(big.Int).SetUint64(u)), nil
	}
	return intValueOf(int64(u)), nil
}

var countedNames = [...]string{argString1: "string1", argString4: "string4", argBytes1: "bytes1",
	argBytes4: "bytes4", argBytes8: "bytes8", argBytearray8: "bytearray8"}

// readCountedBytes reads string1/string4 (a str of latin-1 code points)
// and bytes1/bytes4/bytes8/bytearray8.
func (r *reader) readCountedBytes(k argKind) (value, error) {
	var n uint64
	var err error
	name := countedNames[k]
	switch k {
	case argString1, argBytes1:
		n, err = r.uint1()
	case argString4:
		var i int64
		if i, err = r.int4(); err == nil && i < 0 {
			return value{}, valueError("string4 byte count < 0: %d", i)
		}
		n = uint64(i)
	case argBytes4:
		n, err = r.uint4("uint4")
	default:
		n, err = r.uint8()
	}
	if err != nil {
		return value{}, err
	}
	b, err := r.readCounted(n, name)
	if err != nil {
		return value{}, err
	}
	switch k {
	case argString1, argString4:
		return value{kind: strValue, s: pyStr{enc: latin1, b: b}}, nil
	case argBytearray8:
		return value{kind: bytearrayValue, b: b}, nil
	}
	return value{kind: bytesValue, b: b}, nil
}

// readUnicode reads unicodestringnl (raw-unicode-escape text) and
// unicodestring1/4/8 (UTF-8 where encoded surrogates pass).
func (r *reader) readUnicode(k argKind) (value, error) {
	if k == argUnicodestringnl {
		line, err := r.readline("unicodestringnl")
		if err != nil {
			return value{}, err
		}
		rs, err := decodeRawUnicodeEscape(line)
		if err != nil {
			return value{}, err
		}
		return value{kind: strValue, s: pyStr{enc: runes, runes: rs}}, nil
	}
	var n uint64
	var err error
	name := "unicodestring1"
	switch k {
	case argUnicodestring1:
		n, err = r.uint1()
	case argUnicodestring4:
		name = "unicodestring4"
		n, err = r.uint4("uint4")
	default:
		name = "unicodestring8"
		n, err = r.uint8()
	}
	if err != nil {
		return value{}, err
	}
	b, err := r.readCounted(n, name)
	if err != nil {
		return value{}, err
	}
	if err := checkUTF8SP(b); err != nil {
		return value{}, err
	}
	return value{kind: strValue, s: pyStr{enc: utf8sp, b: b}}, nil
}
