package zpickle

import (
	"encoding/binary"
	"errors"
	"strconv"
	"sync"
	"unicode/utf8"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// A scanner finds the persistent ids of a record without decoding it, the
// way ZODB's referencesf runs zodbpickle's noload: it keeps strings as
// slices of the record, tuples and lists as far as a persistent id may be
// made of them, and every other value as a bare kind. It allocates nothing
// once warm, where og-rek allocates for every value of the record.
//
// The scanner answers only when it is sure og-rek (through decoder.load)
// would see the same persistent ids: on anything unusual — a protocol 0
// text opcode, a stack or memo error, a list changed after the memo kept
// it, a key og-rek might not hash — it gives up with errScanGaveUp, and
// the caller decodes the record with og-rek, which also words the errors.

var errScanGaveUp = errors.New("scan gave up")

// vkind is what the scanner knows of a value.
type vkind uint8

const (
	kUnset  vkind = iota // an empty memo slot
	kMark                // MARK
	kScalar              // a number, a bool
	kNone
	kText   // Python 3 str; s holds its bytes
	kBytes  // bytes; s
	kBStr   // Python 2 str; s
	kTuple  // scanner.arena[a : a+b]
	kList   // scanner.lists[a][:b]: a view of b items
	kDict   // its content does not matter
	kSet    // a set that EMPTY_SET made and ADDITEMS may fill
	kClass  // a global: module s, name s2
	kRef    // the result of a persistent id
	kObject // an instance, a call, whatever else: h tells if og-rek can hash it
)

type val struct {
	kind vkind
	h    bool // og-rek can use it as a dict key
	a, b int32
	s    []byte
	s2   []byte
}

type scanner struct {
	data  []byte
	stack []val
	memo  []val // by memo index; kUnset where there is none
	nmemo int   // how many memo slots are set: MEMOIZE's index
	arena []val // the items of all tuples
	lists [][]val
	pids  []val
}

var scanners = sync.Pool{New: func() any { return new(scanner) }}

// maxScanMemo bounds the memo index the scanner keeps in a slice; pickles
// of ZODB number their memo from 0 up.
const maxScanMemo = 1 << 16

// scan runs both pickles of a record and collects their persistent ids in
// s.pids. The caller returns s to the pool when done with them.
func (s *scanner) scan(data []byte) error {
	s.reset(data)
	pos := 0
	for n := 0; n < 2; {
		o, next, err := nextOp(data, pos)
		if err != nil {
			return errScanGaveUp
		}
		if o.code == opStop {
			// og-rek returns the top of the stack and keeps the rest.
			if len(s.stack) == 0 || s.top().kind == kMark {
				return errScanGaveUp
			}
			s.stack = s.stack[:len(s.stack)-1]
			n++
		} else if !s.op(o) {
			return errScanGaveUp
		}
		pos = next
	}
	return nil
}

func (s *scanner) reset(data []byte) {
	s.data = data
	s.stack = s.stack[:0]
	clear(s.memo)
	s.memo = s.memo[:0]
	s.nmemo = 0
	s.arena = s.arena[:0]
	for i := range s.lists {
		s.lists[i] = s.lists[i][:0]
	}
	s.lists = s.lists[:0]
	s.pids = s.pids[:0]
}

// release drops the references to the record and returns s to the pool.
func (s *scanner) release() {
	s.reset(nil)
	scanners.Put(s)
}

func (s *scanner) top() *val { return &s.stack[len(s.stack)-1] }

func (s *scanner) push(v val) { s.stack = append(s.stack, v) }

// popN removes the n values on top, none of them a mark, and returns them;
// they stay valid until the next push.
func (s *scanner) popN(n int) ([]val, bool) {
	if len(s.stack) < n {
		return nil, false
	}
	vs := s.stack[len(s.stack)-n:]
	for _, v := range vs {
		if v.kind == kMark {
			return nil, false
		}
	}
	s.stack = s.stack[:len(s.stack)-n]
	return vs, true
}

// popMark removes the values above the topmost mark, and the mark.
func (s *scanner) popMark() ([]val, bool) {
	for k := len(s.stack) - 1; k >= 0; k-- {
		if s.stack[k].kind == kMark {
			vs := s.stack[k+1:]
			s.stack = s.stack[:k]
			return vs, true
		}
	}
	return nil, false
}

func (s *scanner) tuple(items []val) val {
	h := true
	for _, it := range items {
		h = h && it.h
	}
	v := val{kind: kTuple, h: h, a: int32(len(s.arena)), b: int32(len(items))}
	s.arena = append(s.arena, items...)
	return v
}

func (s *scanner) items(v val) []val {
	if v.kind == kTuple {
		return s.arena[v.a : v.a+v.b]
	}
	return s.lists[v.a][:v.b]
}

func (s *scanner) list(items []val) val {
	i := len(s.lists)
	if i < cap(s.lists) {
		s.lists = s.lists[:i+1]
	} else {
		s.lists = append(s.lists, nil)
	}
	s.lists[i] = append(s.lists[i][:0], items...)
	return val{kind: kList, a: int32(i), b: int32(len(items))}
}

// appendTo adds items to the list at stack[k]. A view that is not the
// whole list any more is where og-rek's lists and Python's part: give up.
func (s *scanner) appendTo(k int, items []val) bool {
	l := &s.stack[k]
	if l.kind != kList || int(l.b) != len(s.lists[l.a]) {
		return false
	}
	s.lists[l.a] = append(s.lists[l.a], items...)
	l.b = int32(len(s.lists[l.a]))
	return true
}

// setItems checks the key and value pairs given to the dict at stack[k].
func (s *scanner) setItems(k int, kv []val) bool {
	if s.stack[k].kind != kDict || len(kv)%2 != 0 {
		return false
	}
	for i := 0; i < len(kv); i += 2 {
		if !kv[i].h {
			return false
		}
	}
	return true
}

func scalar() val { return val{kind: kScalar, h: true} }

// op runs one opcode other than STOP; false means give up.
func (s *scanner) op(o op) bool {
	switch o.code {
	case '(':
		s.push(val{kind: kMark})
	case 0x80: // PROTO
		return o.arg[0] <= 5
	case 0x95: // FRAME
	case 'N':
		s.push(val{kind: kNone, h: true})
	case 'I', 'L':
		if !intText(o.arg, o.code == 'L') {
			return false
		}
		s.push(scalar())
	case 'F':
		if _, err := strconv.ParseFloat(string(o.arg), 64); err != nil {
			return false
		}
		s.push(scalar())
	case 'J', 'K', 'M', 'G', 0x88, 0x89, 0x8a, 0x8b:
		s.push(scalar())
	case 'T', 'U':
		s.push(val{kind: kBStr, h: true, s: o.arg})
	case 'X', 0x8c, 0x8d:
		s.push(val{kind: kText, h: true, s: o.arg})
	case 'B', 'C', 0x8e:
		s.push(val{kind: kBytes, h: true, s: o.arg})
	case 0x96: // BYTEARRAY8
		s.push(val{kind: kObject})
	case ')':
		s.push(s.tuple(nil))
	case 0x85, 0x86, 0x87:
		vs, ok := s.popN(int(o.code - 0x84))
		if !ok {
			return false
		}
		s.push(s.tuple(vs))
	case 't':
		vs, ok := s.popMark()
		if !ok {
			return false
		}
		s.push(s.tuple(vs))
	case ']':
		s.push(s.list(nil))
	case 'l':
		vs, ok := s.popMark()
		if !ok {
			return false
		}
		s.push(s.list(vs))
	case 'a':
		vs, ok := s.popN(1)
		if !ok || len(s.stack) == 0 {
			return false
		}
		return s.appendTo(len(s.stack)-1, vs)
	case 'e':
		vs, ok := s.popMark()
		if !ok || len(s.stack) == 0 {
			return false
		}
		return s.appendTo(len(s.stack)-1, vs)
	case '}':
		s.push(val{kind: kDict})
	case 'd':
		vs, ok := s.popMark()
		if !ok {
			return false
		}
		s.push(val{kind: kDict})
		return s.setItems(len(s.stack)-1, vs)
	case 's':
		vs, ok := s.popN(2)
		if !ok || len(s.stack) == 0 {
			return false
		}
		return s.setItems(len(s.stack)-1, vs)
	case 'u':
		vs, ok := s.popMark()
		if !ok || len(s.stack) == 0 {
			return false
		}
		return s.setItems(len(s.stack)-1, vs)
	case 0x8f: // EMPTY_SET
		s.push(val{kind: kSet})
	case 0x90: // ADDITEMS
		_, ok := s.popMark()
		return ok && len(s.stack) > 0 && s.top().kind == kSet
	case 0x91: // FROZENSET
		if _, ok := s.popMark(); !ok {
			return false
		}
		s.push(val{kind: kObject})
	case 'c':
		mod, name, _ := cut(o.arg)
		s.push(val{kind: kClass, h: true, s: mod, s2: name})
	case 0x93: // STACK_GLOBAL
		vs, ok := s.popN(2)
		if !ok || vs[0].kind != kText || vs[1].kind != kText {
			return false
		}
		s.push(val{kind: kClass, h: true, s: vs[0].s, s2: vs[1].s})
	case 'R':
		vs, ok := s.popN(2)
		if !ok {
			return false
		}
		v, ok := s.reduce(vs[0], vs[1])
		if !ok {
			return false
		}
		s.push(v)
	case 'b', 0x81: // BUILD, NEWOBJ
		vs, ok := s.popN(2)
		if !ok || o.code == 0x81 && vs[1].kind != kTuple {
			return false
		}
		s.push(val{kind: kObject, h: true})
	case 0x92: // NEWOBJ_EX
		vs, ok := s.popN(3)
		if !ok || vs[1].kind != kTuple {
			return false
		}
		s.push(val{kind: kObject, h: true})
	case 'o', 'i': // OBJ, INST
		vs, ok := s.popMark()
		if !ok || o.code == 'o' && len(vs) == 0 {
			return false
		}
		s.push(val{kind: kObject, h: true})
	case 'Q':
		vs, ok := s.popN(1)
		if !ok {
			return false
		}
		s.pids = append(s.pids, vs[0])
		s.push(val{kind: kRef, h: true})
	case '0':
		if len(s.stack) == 0 {
			return false
		}
		s.stack = s.stack[:len(s.stack)-1]
	case '1':
		_, ok := s.popMark()
		return ok
	case '2':
		if len(s.stack) == 0 {
			return false
		}
		s.push(*s.top())
	case 'q', 'r', 0x94:
		return s.put(o)
	case 'h', 'j':
		return s.get(o)
	default:
		// PERSID, STRING, UNICODE, text PUT and GET (protocol 0),
		// extensions, out-of-band buffers: og-rek's business.
		return false
	}
	return true
}

func (s *scanner) put(o op) bool {
	if len(s.stack) == 0 || s.top().kind == kMark {
		return false
	}
	i := int64(s.nmemo)
	if o.code != 0x94 {
		i = memoIndex(o)
	}
	if i < 0 || i >= maxScanMemo {
		return false
	}
	for int64(len(s.memo)) <= i {
		s.memo = append(s.memo, val{})
	}
	if s.memo[i].kind == kUnset {
		s.nmemo++
	}
	s.memo[i] = *s.top()
	return true
}

func (s *scanner) get(o op) bool {
	i := memoIndex(o)
	if i < 0 || i >= int64(len(s.memo)) || s.memo[i].kind == kUnset {
		return false
	}
	v := s.memo[i]
	if v.kind == kList && int(v.b) != len(s.lists[v.a]) {
		return false // og-rek kept a shorter list than Python has
	}
	s.push(v)
	return true
}

// reduce is the scanner's REDUCE, following decoder.load's: it makes
// bytes of _codecs.encode, and knows og-rek can hash a call when it can
// hash its arguments.
func (s *scanner) reduce(callable, args val) (val, bool) {
	if args.kind != kTuple {
		return val{}, false
	}
	if callable.kind != kClass {
		return val{kind: kObject, h: true}, true
	}
	a := s.items(args)
	mod, name := string(callable.s), string(callable.s2) // no allocation: compared only
	switch {
	case mod == "_codecs" && name == "encode" && len(a) == 2 && isTextVal(a[1], "latin1"):
		b, ok := latin1Val(a[0])
		return val{kind: kBytes, h: true, s: b}, ok
	case (mod == "builtins" || mod == "__builtin__") && name == "bytearray":
		return val{kind: kObject}, false // og-rek's checks of it are not worth copying
	case (mod == "copy_reg" || mod == "copyreg") && name == "_reconstructor" && len(a) == 3 && a[2].kind == kNone:
		return val{kind: kObject, h: true}, true
	}
	return val{kind: kObject, h: args.h}, true
}

func isTextVal(v val, text string) bool {
	return (v.kind == kText || v.kind == kBStr) && string(v.s) == text
}

// latin1Val encodes text whose characters are all below U+0100.
func latin1Val(v val) ([]byte, bool) {
	switch v.kind {
	case kBStr:
		return v.s, true
	case kText:
		b := make([]byte, 0, len(v.s))
		for i := 0; i < len(v.s); {
			r, n := utf8.DecodeRune(v.s[i:])
			if r >= 0x100 {
				return nil, false
			}
			b = append(b, byte(r))
			i += n
		}
		return b, true
	}
	return nil, false
}

// intText reports whether og-rek reads the argument of INT or LONG.
func intText(b []byte, long bool) bool {
	if long {
		if len(b) == 0 || b[len(b)-1] != 'L' {
			return false // the rewriter adds the L og-rek wants; give up
		}
		b = b[:len(b)-1]
	}
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// cut splits GLOBAL's argument into module and name.
func cut(arg []byte) (mod, name []byte, ok bool) {
	for i, c := range arg {
		if c == '\n' {
			return arg[:i], arg[i+1:], true
		}
	}
	return arg, nil, false
}

// scanOid is oidOf for a scanned value.
func scanOid(v val) (uint64, bool) {
	switch v.kind {
	case kText:
		if !isASCII(string(v.s)) {
			return 0, false
		}
	case kBytes, kBStr:
	default:
		return 0, false
	}
	if len(v.s) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v.s), true
}

// strongOids is Refs for the scanned persistent ids, or false where the
// og-rek path is to word an error.
func (s *scanner) strongOids() ([]zodb.Oid, bool) {
	if len(s.pids) == 0 {
		return nil, true
	}
	oids := make([]zodb.Oid, 0, len(s.pids))
	for _, pid := range s.pids {
		x := pid
		switch pid.kind {
		case kList:
			continue
		case kTuple:
			if pid.b == 0 {
				return nil, false
			}
			x = s.arena[pid.a]
		}
		oid, ok := scanOid(x)
		if !ok {
			return nil, false
		}
		oids = append(oids, zodb.Oid(oid))
	}
	return oids, true
}

// references is References for the scanned persistent ids, or false
// where the og-rek path is to word an error.
func (s *scanner) references() ([]Ref, bool) {
	if len(s.pids) == 0 {
		return nil, true
	}
	refs := make([]Ref, 0, len(s.pids))
	for _, pid := range s.pids {
		r, err := refOf(s.value(pid, 0))
		if err != nil {
			return nil, false
		}
		refs = append(refs, r)
	}
	return refs, true
}

// pidDepth is as deep as refOf looks into a persistent id:
// ['m', (database, oid, (module, name))].
const pidDepth = 4

// value gives a scanned value as og-rek would decode it, as far as refOf
// can tell: a value that is no string, tuple, list or class stands as None.
func (s *scanner) value(v val, depth int) any {
	switch v.kind {
	case kText:
		return string(v.s)
	case kBytes:
		return ogórek.Bytes(v.s)
	case kBStr:
		return ogórek.ByteString(v.s)
	case kClass:
		return ogórek.Class{Module: string(v.s), Name: string(v.s2)}
	case kTuple, kList:
		if depth >= pidDepth {
			return ogórek.None{}
		}
		items := s.items(v)
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = s.value(it, depth+1)
		}
		if v.kind == kTuple {
			return ogórek.Tuple(out)
		}
		return out
	}
	return ogórek.None{}
}
