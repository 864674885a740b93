package fsindex

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zodbneo/zodbneo/zodb"
)

// The unpickler below decodes the subset of Python's pickle that index
// files hold (see doc.go for why og-rek is not used). Values are:
//
//	pyNone, bool, int64, pyBytes (py3 bytes and py2 str), pyStr (unicode),
//	pyTuple, *pyList, *pyDict, pyGlobal, *pyObject.
//
// Anything else — an unknown opcode, an integer over 64 bits, a text
// (protocol 0) string — is reported as corrupt: such a file was not
// written by fsIndex.

type (
	pyNone   struct{}
	pyBytes  string
	pyStr    string
	pyTuple  []any
	pyList   struct{ items []any }
	pyDict   struct{ keys, vals []any } // in insertion order, duplicates kept
	pyGlobal struct{ module, name string }
	pyObject struct {
		cls   any   // usually a pyGlobal
		args  []any // constructor arguments
		state any   // what BUILD set, nil if none
	}
)

// get returns the value of the last item whose key is the text key.
func (d *pyDict) get(key string) (any, bool) {
	for i := len(d.keys) - 1; i >= 0; i-- {
		if s, ok := asText(d.keys[i]); ok && s == key {
			return d.vals[i], true
		}
	}
	return nil, false
}

// asText returns the value of a str or bytes: dict keys such as 'pos' are
// str in py3 pickles and byte strings in py2 ones.
func asText(v any) (string, bool) {
	switch v := v.(type) {
	case pyStr:
		return string(v), true
	case pyBytes:
		return string(v), true
	}
	return "", false
}

// maxAlloc bounds what a length field may make the unpickler allocate
// before the data is there: longer values grow as they are read, so a
// forged length fails at end of file instead of exhausting memory.
const maxAlloc = 1 << 20

// unpickler reads consecutive pickles from one stream.
type unpickler struct {
	r     *bufio.Reader
	pos   int64 // offset in the stream of the next byte
	stack []any
	marks []int // stack heights at each MARK
	memo  map[int]any
}

func newUnpickler(r io.Reader) *unpickler {
	return &unpickler{r: bufio.NewReaderSize(r, 64<<10)}
}

// corruptf returns an error marked zodb.ErrCorrupt, placed at offset at.
func corruptf(at int64, format string, args ...any) error {
	return fmt.Errorf("pickle @%d: %s: %w", at, fmt.Sprintf(format, args...), zodb.ErrCorrupt)
}

// load decodes the next pickle of the stream. At a clean end of the stream
// (no byte left) it returns io.EOF.
func (u *unpickler) load() (any, error) {
	u.stack = u.stack[:0]
	u.marks = u.marks[:0]
	u.memo = nil
	if _, err := u.r.Peek(1); err == io.EOF {
		return nil, io.EOF
	}
	for {
		at := u.pos
		op, err := u.byte()
		if err != nil {
			return nil, err
		}
		if op == opStop {
			if len(u.stack) != 1 || len(u.marks) != 0 {
				return nil, corruptf(at, "STOP with %d values on the stack", len(u.stack))
			}
			return u.stack[0], nil
		}
		if err := u.exec(op, at); err != nil {
			return nil, err
		}
	}
}

// readErr turns an I/O error into what load reports: a torn pickle is
// corrupt, any other failure is the reader's.
func (u *unpickler) readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return corruptf(u.pos, "unexpected end of file")
	}
	return err
}

func (u *unpickler) byte() (byte, error) {
	b, err := u.r.ReadByte()
	if err != nil {
		return 0, u.readErr(err)
	}
	u.pos++
	return b, nil
}

// bytes reads n bytes.
func (u *unpickler) bytes(n uint64) ([]byte, error) {
	if n <= maxAlloc {
		b := make([]byte, n)
		k, err := io.ReadFull(u.r, b)
		u.pos += int64(k)
		if err != nil {
			return nil, u.readErr(err)
		}
		return b, nil
	}
	if n > math.MaxInt64 {
		return nil, corruptf(u.pos, "length %d too large", n)
	}
	var sb strings.Builder
	k, err := io.CopyN(&sb, u.r, int64(n))
	u.pos += k
	if err != nil {
		return nil, u.readErr(err)
	}
	return []byte(sb.String()), nil
}

// uint reads an n-byte little-endian unsigned integer.
func (u *unpickler) uint(n int) (uint64, error) {
	b, err := u.bytes(uint64(n))
	if err != nil {
		return 0, err
	}
	var v [8]byte
	copy(v[:], b)
	return binary.LittleEndian.Uint64(v[:]), nil
}

// line reads up to and without the next '\n'.
func (u *unpickler) line() (string, error) {
	var sb strings.Builder
	for {
		b, err := u.byte()
		if err != nil {
			return "", err
		}
		if b == '\n' {
			return sb.String(), nil
		}
		if sb.Len() >= 4096 {
			return "", corruptf(u.pos, "line too long")
		}
		sb.WriteByte(b)
	}
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop(at int64) (any, error) {
	n := len(u.stack)
	if n == 0 || (len(u.marks) > 0 && u.marks[len(u.marks)-1] == n) {
		return nil, corruptf(at, "stack underflow")
	}
	v := u.stack[n-1]
	u.stack = u.stack[:n-1]
	return v, nil
}

func (u *unpickler) top(at int64) (any, error) {
	v, err := u.pop(at)
	if err == nil {
		u.push(v)
	}
	return v, err
}

// popMark removes and returns the values pushed since the last MARK.
func (u *unpickler) popMark(at int64) ([]any, error) {
	if len(u.marks) == 0 {
		return nil, corruptf(at, "no MARK")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

// popN removes and returns the top n values.
func (u *unpickler) popN(at int64, n int) ([]any, error) {
	base := 0
	if len(u.marks) > 0 {
		base = u.marks[len(u.marks)-1]
	}
	if len(u.stack)-base < n {
		return nil, corruptf(at, "stack underflow")
	}
	items := append([]any(nil), u.stack[len(u.stack)-n:]...)
	u.stack = u.stack[:len(u.stack)-n]
	return items, nil
}

// decodeLong decodes LONG1/LONG4 data: little-endian two's complement.
func decodeLong(at int64, b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	neg := b[len(b)-1]&0x80 != 0
	// Strip sign-extension bytes so that values padded beyond 8 bytes
	// still decode; what remains must fit in 8.
	for len(b) > 1 && ((!neg && b[len(b)-1] == 0 && b[len(b)-2]&0x80 == 0) ||
		(neg && b[len(b)-1] == 0xff && b[len(b)-2]&0x80 != 0)) {
		b = b[:len(b)-1]
	}
	if len(b) > 8 {
		return 0, corruptf(at, "integer wider than 64 bits")
	}
	var v [8]byte
	if neg {
		v = [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	copy(v[:], b)
	return int64(binary.LittleEndian.Uint64(v[:])), nil
}

// decodeText decodes protocol 0's INT and LONG arguments, and the
// "00"/"01" forms INT uses for False and True.
func decodeText(at int64, s string, long bool) (any, error) {
	if !long {
		switch s {
		case "00":
			return false, nil
		case "01":
			return true, nil
		}
	}
	if long {
		s = strings.TrimSuffix(s, "L")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, corruptf(at, "invalid integer %q", s)
	}
	return n, nil
}

// unicode checks and converts the bytes of a unicode value.
func unicode(at int64, b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, corruptf(at, "invalid UTF-8 in unicode string")
	}
	return pyStr(b), nil
}
