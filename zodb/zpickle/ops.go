package zpickle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The pickle opcodes this package looks at by name. The full set, with the
// shape of each argument, is in argKinds below; pickletools.py in Python's
// standard library documents every one.
const (
	opMark        = '('
	opStop        = '.'
	opPop         = '0'
	opPopMark     = '1'
	opPersid      = 'P'
	opBinpersid   = 'Q'
	opReduce      = 'R'
	opBuild       = 'b'
	opGlobal      = 'c'
	opGet         = 'g'
	opInst        = 'i'
	opList        = 'l'
	opObj         = 'o'
	opPut         = 'p'
	opTuple       = 't'
	opBinint1     = 'K'
	opBinunicode  = 'X'
	opBinbytes    = 'B'
	opLong        = 'L'
	opProto       = 0x80
	opNewobj      = 0x81
	opExt1        = 0x82
	opExt2        = 0x83
	opExt4        = 0x84
	opTuple2      = 0x86
	opTuple3      = 0x87
	opLong1       = 0x8a
	opLong4       = 0x8b
	opBinunicode8 = 0x8d
	opBinbytes8   = 0x8e
	opEmptySet    = 0x8f
	opAddItems    = 0x90
	opFrozenSet   = 0x91
	opNewobjEx    = 0x92
)

// argKind is the shape of the argument bytes that follow an opcode.
type argKind uint8

const (
	argBad        argKind = iota // not an opcode
	argNone                      // no argument
	argLine                      // text up to '\n'
	argTwoLines                  // two '\n'-terminated lines: GLOBAL, INST
	argFixed1                    // 1 byte
	argFixed2                    // 2 bytes
	argFixed4                    // 4 bytes
	argFixed8                    // 8 bytes
	argLen1                      // 1-byte length, then that many bytes
	argLen4                      // 4-byte little-endian length, then data
	argLen4Signed                // same, but Python reads the length as int32
	argLen8                      // 8-byte little-endian length, then data
)

// argKinds maps every opcode of pickle protocols 0 to 5 to its argument.
var argKinds = [256]argKind{
	// protocol 0
	'(': argNone, '.': argNone, '0': argNone, '2': argNone,
	'F': argLine, 'I': argLine, 'L': argLine, 'N': argNone,
	'P': argLine, 'R': argNone, 'S': argLine, 'V': argLine,
	'a': argNone, 'b': argNone, 'c': argTwoLines, 'd': argNone,
	'g': argLine, 'i': argTwoLines, 'l': argNone, 'p': argLine,
	's': argNone, 't': argNone,
	// protocol 1
	'1': argNone, 'J': argFixed4, 'K': argFixed1, 'M': argFixed2,
	'Q': argNone, 'T': argLen4Signed, 'U': argLen1, 'X': argLen4,
	'e': argNone, 'h': argFixed1, 'j': argFixed4, ']': argNone,
	')': argNone, '}': argNone, 'o': argNone, 'q': argFixed1,
	'r': argFixed4, 'u': argNone, 'G': argFixed8,
	// protocol 2
	0x80: argFixed1, 0x81: argNone, 0x82: argFixed1, 0x83: argFixed2,
	0x84: argFixed4, 0x85: argNone, 0x86: argNone, 0x87: argNone,
	0x88: argNone, 0x89: argNone, 0x8a: argLen1, 0x8b: argLen4Signed,
	// protocol 3
	'B': argLen4, 'C': argLen1,
	// protocol 4
	0x8c: argLen1, 0x8d: argLen8, 0x8e: argLen8, 0x8f: argNone,
	0x90: argNone, 0x91: argNone, 0x92: argNone, 0x93: argNone,
	0x94: argNone, 0x95: argFixed8,
	// protocol 5
	0x96: argLen8, 0x97: argNone, 0x98: argNone,
}

// op is one opcode of a pickle and its argument.
type op struct {
	code byte
	pos  int    // offset of the opcode byte
	arg  []byte // the argument: a line without its '\n'; for two lines, both joined by '\n'; the data of a counted argument
}

var errTruncated = errors.New("truncated pickle")

// nextOp reads the opcode at data[pos:] and returns it with the offset of
// the opcode after it.
func nextOp(data []byte, pos int) (op, int, error) {
	if pos >= len(data) {
		return op{}, pos, errTruncated
	}
	o := op{code: data[pos], pos: pos}
	p := pos + 1
	switch argKinds[o.code] {
	case argBad:
		return o, pos, fmt.Errorf("invalid opcode 0x%02x at offset %d", o.code, pos)
	case argNone:
		return o, p, nil
	case argLine, argTwoLines:
		end := indexNL(data, p)
		if end >= 0 && argKinds[o.code] == argTwoLines {
			end = indexNL(data, end+1)
		}
		if end < 0 {
			return o, pos, errTruncated
		}
		o.arg = data[p:end]
		return o, end + 1, nil
	case argFixed1:
		return fixedArg(o, data, p, 1)
	case argFixed2:
		return fixedArg(o, data, p, 2)
	case argFixed4:
		return fixedArg(o, data, p, 4)
	case argFixed8:
		return fixedArg(o, data, p, 8)
	case argLen1:
		if p >= len(data) {
			return o, pos, errTruncated
		}
		return countedArg(o, data, p+1, uint64(data[p]))
	case argLen4, argLen4Signed:
		if len(data)-p < 4 {
			return o, pos, errTruncated
		}
		n := binary.LittleEndian.Uint32(data[p:])
		if argKinds[o.code] == argLen4Signed && int32(n) < 0 {
			return o, pos, fmt.Errorf("negative length at offset %d", pos)
		}
		return countedArg(o, data, p+4, uint64(n))
	default: // argLen8
		if len(data)-p < 8 {
			return o, pos, errTruncated
		}
		return countedArg(o, data, p+8, binary.LittleEndian.Uint64(data[p:]))
	}
}

func fixedArg(o op, data []byte, p, n int) (op, int, error) {
	if len(data)-p < n {
		return o, o.pos, errTruncated
	}
	o.arg = data[p : p+n]
	return o, p + n, nil
}

func countedArg(o op, data []byte, p int, n uint64) (op, int, error) {
	if uint64(len(data)-p) < n {
		return o, o.pos, errTruncated
	}
	o.arg = data[p : p+int(n)]
	return o, p + int(n), nil
}

func indexNL(data []byte, from int) int {
	i := bytes.IndexByte(data[from:], '\n')
	if i < 0 {
		return -1
	}
	return from + i
}

// pickleEnd returns the offset just after the STOP that ends the pickle
// starting at data[start:]: where an unpickler reading both pickles of a
// record from one stream, as ZODB does, starts the second.
func pickleEnd(data []byte, start int) (int, error) {
	pos := start
	for {
		o, next, err := nextOp(data, pos)
		if err != nil {
			return 0, err
		}
		pos = next
		if o.code == opStop {
			return pos, nil
		}
	}
}
