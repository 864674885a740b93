package zpickle

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// og-rek v1.3.0 does not implement BUILD, NEWOBJ, NEWOBJ_EX, INST, OBJ,
// POP_MARK, LONG4 (nor LONG1 of 128 bytes or more), the protocol-4 set opcodes or the 8-byte counted
// strings; its REDUCE makes values BUILD could not update in place; and it
// sees every persistent id through one hook. So, before
// og-rek reads a record, rewrite turns each opcode it lacks into opcodes it
// has and routes the result through that hook: the operands are packed into
// a tuple together with a tag saying what to build, and a BINPERSID hands
// the tuple to our hook (decoder.load), which builds the Go value and lets
// og-rek push it. The record's own persistent ids go the same way with
// tagRef. Since every BINPERSID of the rewritten stream is ours, the hook
// never sees a tuple the input forged.

// Tags of the tuples rewrite hands to the hook; the tag is the last item.
const (
	tagRef       = iota // (pid, tag)
	tagBuild            // (obj, state, tag)
	tagNewobj           // (cls, args, tag)
	tagNewobjEx         // ((cls, args, kwargs), tag)
	tagInst             // (args, cls, tag)
	tagObj              // ((cls, args...), tag)
	tagEmptySet         // ([], tag)
	tagAddItems         // (set, [items], tag)
	tagFrozenSet        // ([items], tag)
	tagReduce           // (callable, args, tag)
)

// Opcode sequences rewrite emits. Each pushes the tag, packs it with the
// operands already on the stack into one tuple, and calls the hook.
var (
	callRef       = []byte{opBinint1, tagRef, opTuple2, opBinpersid}
	callBuild     = []byte{opBinint1, tagBuild, opTuple3, opBinpersid}
	callNewobj    = []byte{opBinint1, tagNewobj, opTuple3, opBinpersid}
	callNewobjEx  = []byte{opTuple3, opBinint1, tagNewobjEx, opTuple2, opBinpersid}
	callInst      = []byte{opBinint1, tagInst, opTuple3, opBinpersid}
	callObj       = []byte{opTuple, opBinint1, tagObj, opTuple2, opBinpersid}
	callEmptySet  = []byte{']', opBinint1, tagEmptySet, opTuple2, opBinpersid}
	callAddItems  = []byte{opList, opBinint1, tagAddItems, opTuple3, opBinpersid}
	callFrozenSet = []byte{opList, opBinint1, tagFrozenSet, opTuple2, opBinpersid}
	callReduce    = []byte{opBinint1, tagReduce, opTuple3, opBinpersid}
)

// rewriteRecord returns the two pickles of a ZODB record rewritten for
// og-rek, one after the other. Bytes
// after the second pickle are ignored, as ZODB ignores them.
func rewriteRecord(data []byte) (out []byte, err error) {
	w := rewriter{data: data, nest: newNesting(len(data))}
	pos := 0
	for n := 0; n < 2; n++ {
		if pos, err = w.pickle(pos); err != nil {
			if n == 0 {
				return nil, fmt.Errorf("class pickle: %w", err)
			}
			return nil, fmt.Errorf("state pickle: %w", err)
		}
	}
	return w.result(pos), nil
}

// rewriteOne is rewriteRecord for one pickle alone.
func rewriteOne(data []byte) ([]byte, error) {
	w := rewriter{data: data, nest: newNesting(len(data))}
	end, err := w.pickle(0)
	if err != nil {
		return nil, err
	}
	return w.result(end), nil
}

// rewriter copies a pickle into out only from the first opcode it has to
// change: most records need no change and are read in place.
type rewriter struct {
	nest   nesting
	data   []byte
	out    []byte
	copied int  // data[:copied] is already accounted for in out
	dirty  bool // out is in use
}

// replace drops data[from:to] and writes repl in its place.
func (w *rewriter) replace(from, to int, repl ...[]byte) {
	if !w.dirty {
		w.out = make([]byte, 0, len(w.data)+64)
		w.dirty = true
	}
	w.out = append(w.out, w.data[w.copied:from]...)
	for _, r := range repl {
		w.out = append(w.out, r...)
	}
	w.copied = to
}

func (w *rewriter) result(end int) []byte {
	if !w.dirty {
		return w.data[:end]
	}
	return append(w.out, w.data[w.copied:end]...)
}

// pickle rewrites the pickle at data[pos:] and returns where it ends.
func (w *rewriter) pickle(pos int) (int, error) {
	for {
		o, next, err := nextOp(w.data, pos)
		if err != nil {
			return 0, err
		}
		if err := w.nest.op(o); err != nil {
			return 0, fmt.Errorf("offset %d: %w", o.pos, err)
		}
		if err := w.op(o, next); err != nil {
			return 0, err
		}
		pos = next
		if o.code == opStop {
			return pos, nil
		}
	}
}

// op rewrites one opcode, o, that spans data[o.pos:next].
func (w *rewriter) op(o op, next int) error {
	switch o.code {
	case opPersid:
		w.replace(o.pos, next, counted(opBinunicode, o.arg), callRef)
	case opBinpersid:
		w.replace(o.pos, next, callRef)
	case opBuild:
		w.replace(o.pos, next, callBuild)
	case opReduce:
		w.replace(o.pos, next, callReduce)
	case opNewobj:
		w.replace(o.pos, next, callNewobj)
	case opNewobjEx:
		w.replace(o.pos, next, callNewobjEx)
	case opInst:
		g := append(append([]byte{opTuple, opGlobal}, o.arg...), '\n')
		w.replace(o.pos, next, g, callInst)
	case opObj:
		w.replace(o.pos, next, callObj)
	case opEmptySet:
		w.replace(o.pos, next, callEmptySet)
	case opAddItems:
		w.replace(o.pos, next, callAddItems)
	case opFrozenSet:
		w.replace(o.pos, next, callFrozenSet)
	case opPopMark:
		w.replace(o.pos, next, []byte{opTuple, opPop})
	case opBinunicode8, opBinbytes8:
		if len(o.arg) > math.MaxUint32 {
			return fmt.Errorf("string too long at offset %d", o.pos)
		}
		code := byte(opBinunicode)
		if o.code == opBinbytes8 {
			code = opBinbytes
		}
		w.replace(o.pos, next, counted(code, o.arg))
	case opLong4:
		w.replace(o.pos, next, longText(o.arg))
	case opLong1:
		// og-rek reads LONG1's length byte as a signed number: from
		// 128 bytes on it reads the wrong length.
		if len(o.arg) >= 128 {
			w.replace(o.pos, next, longText(o.arg))
		}
	case opLong:
		// Python takes the trailing 'L' as optional; og-rek requires it.
		if len(o.arg) == 0 || o.arg[len(o.arg)-1] != 'L' {
			w.replace(o.pos, next, []byte{opLong}, o.arg, []byte("L\n"))
		}
	case opPut, opGet:
		// Python reads the memo index as an int; og-rek keys its memo
		// by the text. Write the number the way BINPUT keys it.
		i := memoIndex(o)
		if i < 0 {
			return fmt.Errorf("invalid memo index %q at offset %d", o.arg, o.pos)
		}
		w.replace(o.pos, next, []byte{o.code}, strconv.AppendInt(nil, i, 10), []byte{'\n'})
	case opExt1, opExt2, opExt4:
		return fmt.Errorf("extension registry opcode 0x%02x at offset %d: not supported", o.code, o.pos)
	}
	return nil
}

// counted returns opcode code with a 4-byte length and data.
func counted(code byte, data []byte) []byte {
	b := make([]byte, 5, 5+len(data))
	b[0] = code
	binary.LittleEndian.PutUint32(b[1:], uint32(len(data)))
	return append(b, data...)
}

// longText turns LONG4's little-endian two's complement bytes into the
// text form of LONG.
func longText(le []byte) []byte {
	be := make([]byte, len(le))
	for i, c := range le {
		be[len(le)-1-i] = c
	}
	v := new(big.Int).SetBytes(be)
	if len(be) > 0 && be[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(be))))
	}
	b := append([]byte{opLong}, v.String()...)
	return append(b, 'L', '\n')
}
