package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// DefaultIndent is pickletools' default indentation of a MARK level, the
// one zodbdump uses.
const DefaultIndent = 4

// Options are the parameters of pickletools.dis. The zero value is what
// zodbdump asks for: a fresh memo, 4 blanks per MARK level, no annotations,
// positions counted from the pickle's first byte.
type Options struct {
	// Indent is the number of blanks by which a MARK level indents (dis's
	// indentlevel). 0 means DefaultIndent; a negative value, none.
	Indent int

	// Annotate, when not 0, adds the first line of each opcode's
	// description, aligned near column Annotate (dis's annotate).
	Annotate int

	// Offset is the stream position of the pickle's first byte: opcode
	// positions and MARK references are printed from it.
	Offset int

	// Memo carries the memo from one call to the next, for pickles written
	// by one pickler (as a record's class and state). Nil means a fresh one.
	Memo *Memo
}

// Dis writes the symbolic disassembly of the pickle that starts pickle to
// w, as Python's pickletools.dis(pickle, w, memo, indentlevel, annotate)
// prints it, and returns the number of bytes the pickle took (up to and
// including its STOP opcode).
//
// Dis makes pickletools' checks: arguments that decode, enough stack items
// for each opcode, MARKs where a MARK is needed, memo indices defined once
// before use, nothing left on the stack after STOP. When a check fails, or
// the pickle ends before STOP, Dis writes what pickletools had printed by
// then and returns an *Error with pickletools' message and how far it read.
// A disassembly that would pass 256 bytes per byte of pickle plus 32 MiB
// (only deep MARK nesting or a huge annotation column get there) stops
// with ErrTooLong. Any other error is w's.
func Dis(w io.Writer, pickle []byte, opt Options) (n int, err error) {
	out := make([]byte, 0, outputSizeHint(len(pickle)))
	out, n, err = disAppend(out, pickle, opt, "")
	if _, werr := w.Write(out); werr != nil && err == nil {
		err = werr
	}
	return n, err
}

// outputSizeHint is about the size of the disassembly of n bytes of a
// typical record: a line of 30 bytes for every 3 bytes of pickle.
func outputSizeHint(n int) int { return 10*n + 64 }

// ErrTooLong is returned, wrapped, when a disassembly would exceed
// outputLimit: pickletools' output grows with the square of the MARK
// nesting (each line is indented by its depth) and with the annotation
// column, so a small malformed pickle could ask for gigabytes. Python would
// print them; Dis stops instead.
var ErrTooLong = errors.New("pickledis: disassembly too long")

// outputLimit bounds the disassembly of n bytes: far above what a pickle
// written by Python gives (a line of at most about 250 bytes per opcode,
// and MARK nesting bounded by Python's recursion limit).
func outputLimit(n int) int { return 256*n + 32<<20 }

// disAppend appends the disassembly to out, each line starting with
// prefix, and returns it with the size of the pickle.
func disAppend(out, pickle []byte, opt Options, prefix string) ([]byte, int, error) {
	d := newDisassembler(pickle, opt)
	d.out, d.prefix = out, prefix
	d.outStart, d.outLimit = len(out), outputLimit(len(pickle))
	err := d.run()
	return d.out, d.r.pos, err
}

// disassembler is the state of one Dis call: pickletools' emulated stack
// (the kinds of the values on it), the positions of the open MARKs, and
// the output so far.
type disassembler struct {
	r         reader
	offset    int
	memo      *Memo
	stack     []stackObj
	markstack []int
	maxproto  int
	indent    int // blanks per MARK level
	annotate  int
	annocol   int
	prefix    string // zodbdump's indentation of every line
	out       []byte
	outStart  int         // len(out) before the disassembly
	outLimit  int         // see outputLimit
	fetched   [1]stackObj // what a memo fetch pushes
	stackBuf  [32]stackObj
	markBuf   [8]int
}

func newDisassembler(pickle []byte, opt Options) *disassembler {
	indent := opt.Indent
	if indent == 0 {
		indent = DefaultIndent
	}
	d := &disassembler{
		r:        reader{in: pickle},
		offset:   opt.Offset,
		memo:     opt.Memo,
		maxproto: -1,
		annotate: opt.Annotate,
		annocol:  opt.Annotate,
	}
	d.indent = max(indent, 0)
	if d.memo == nil {
		d.memo = &Memo{}
	}
	d.stack, d.markstack = d.stackBuf[:0], d.markBuf[:0]
	return d
}

// appendBlanks appends n blanks (none if n ≤ 0).
func appendBlanks(out []byte, n int) []byte {
	const blanks = "                                                                "
	for ; n > len(blanks); n -= len(blanks) {
		out = append(out, blanks...)
	}
	if n > 0 {
		out = append(out, blanks[:n]...)
	}
	return out
}

// run disassembles opcode after opcode until STOP.
func (d *disassembler) run() error {
	for {
		pos := d.r.pos
		if pos >= len(d.r.in) {
			return valueError("pickle exhausted before seeing STOP")
		}
		op := opcodes[d.r.in[pos]]
		if op == nil {
			return valueError("at position %d, opcode %s unknown",
				d.offset+pos, pyquote.AppendBytesRepr(nil, d.r.in[pos:pos+1]))
		}
		d.r.pos++
		arg, err := d.r.readArg(op.arg)
		if err != nil {
			return err
		}
		if err := d.step(op, &arg, d.offset+pos); err != nil {
			return err
		}
		if op.code == opSTOP {
			break
		}
	}
	d.out = append(d.out, d.prefix...)
	d.out = append(d.out, "highest protocol among opcodes = "...)
	d.out = strconv.AppendInt(d.out, int64(d.maxproto), 10)
	d.out = append(d.out, '\n')
	if len(d.stack) != 0 {
		return valueError("stack not empty after STOP: %s", d.stackRepr())
	}
	return nil
}

func (d *disassembler) stackRepr() string {
	b := []byte{'['}
	for i, obj := range d.stack {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, stackObjNames[obj]...)
	}
	return string(append(b, ']'))
}

// step prints the line of one opcode and emulates its effect on the stack
// and memo. A failed check is reported after the line is printed, as
// pickletools does.
func (d *disassembler) step(op *opcode, arg *value, pos int) error {
	lineStart, err := d.startLine(op, pos)
	if err != nil {
		return err
	}
	if op.proto > d.maxproto {
		d.maxproto = op.proto
	}

	numtopop := len(op.before)
	mark, errmsg, err := d.popMark(op, &numtopop)
	if err != nil {
		d.out = d.out[:lineStart] // Python failed before printing the line
		return err
	}
	after := op.after
	if msg, obj, ok := d.checkMemo(op, arg, &mark); msg != "" {
		errmsg = msg
	} else if ok {
		d.fetched[0] = obj
		after = d.fetched[:]
	}
	if err := d.finishLine(op, arg, mark, lineStart); err != nil {
		return err
	}
	if errmsg != "" {
		return valueError("%s", errmsg)
	}

	if len(d.stack) < numtopop {
		return valueError("tries to pop %d items from stack with only %d items",
			numtopop, len(d.stack))
	}
	d.stack = d.stack[:len(d.stack)-numtopop]
	if len(after) > 0 && after[len(after)-1] == markObj { // only MARK pushes one
		d.markstack = append(d.markstack, pos)
	}
	d.stack = append(d.stack, after...)
	return nil
}

// startLine writes the position (which Python prints at once), then the
// opcode and its name indented by MARK depth (which Python keeps until the
// line is complete), and returns where the latter starts.
func (d *disassembler) startLine(op *opcode, pos int) (int, error) {
	d.out = append(d.out, d.prefix...)
	d.out = appendPos(d.out, pos)
	lineStart := len(d.out)
	d.out = appendOpcodeRepr(d.out, op.code)
	depth := len(d.markstack)
	if d.indent > 0 && depth > d.outLimit/d.indent {
		return 0, d.room(d.outLimit + 1)
	}
	if err := d.room(d.indent * depth); err != nil {
		return 0, err
	}
	d.out = appendBlanks(d.out, d.indent*depth)
	d.out = append(d.out, op.name...)
	return lineStart, nil
}

// appendPos writes the "%5d: " that starts every line.
func appendPos(out []byte, pos int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(pos), 10)
	for i := len(s); i < 5; i++ {
		out = append(out, ' ')
	}
	out = append(out, s...)
	return append(out, ':', ' ')
}

// appendOpcodeRepr writes repr() of the opcode's one-character code
// without its quotes, padded to 4 columns ("%-4s").
func appendOpcodeRepr(out []byte, code byte) []byte {
	n := 1
	if code >= 0x80 { // all codes past ASCII are C1 controls: \xNN
		out = appendHexEscape(out, 'x', rune(code), 2)
		n = 4
	} else {
		out = append(out, code)
	}
	for ; n < 4; n++ {
		out = append(out, ' ')
	}
	return append(out, ' ')
}

// popMark pops the topmost MARK for an opcode that takes one (and for a POP
// that meets one), with everything above it. It returns the "(MARK at N)"
// note, or the error pickletools reports after printing the line.
func (d *disassembler) popMark(op *opcode, numtopop *int) (mark note, errmsg string, err error) {
	popsMark := op.markAt >= 0 ||
		(op.code == opPOP && len(d.stack) > 0 && d.stack[len(d.stack)-1] == markObj)
	if !popsMark {
		return note{}, "", nil
	}
	if len(d.markstack) == 0 {
		return note{kind: noteNoMark}, noMarkMsg, nil
	}
	markpos := d.markstack[len(d.markstack)-1]
	d.markstack = d.markstack[:len(d.markstack)-1]
	mark = note{kind: noteMarkAt, n: markpos}
	for {
		if len(d.stack) == 0 {
			// the MARK was taken by an opcode that does not know marks
			return note{}, "", &Error{Type: "IndexError", Msg: "list index out of range"}
		}
		top := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		if top == markObj {
			break
		}
	}
	*numtopop = max(op.markAt, 0)
	return mark, "", nil
}

const noMarkMsg = "no MARK exists on stack"

// note is the remark pickletools adds after an opcode's argument.
type note struct {
	kind noteKind
	n    int
}

type noteKind uint8

const (
	noteNone      noteKind = iota
	noteMarkAt             // (MARK at n)
	noteMemoizeAs          // (as n)
	noteNoMark             // no MARK exists on stack
)

func (m note) appendTo(out []byte) []byte {
	switch m.kind {
	case noteMarkAt:
		out = append(out, "(MARK at "...)
		return append(strconv.AppendInt(out, int64(m.n), 10), ')')
	case noteMemoizeAs:
		out = append(out, "(as "...)
		return append(strconv.AppendInt(out, int64(m.n), 10), ')')
	case noteNoMark:
		return append(out, noMarkMsg...)
	}
	return out
}

// checkMemo checks and applies a memo store (PUT, BINPUT, LONG_BINPUT,
// MEMOIZE) or fetch (GET, BINGET, LONG_BINGET). For a fetch of a known
// index it returns the kind of the memo's object, which the opcode pushes.
func (d *disassembler) checkMemo(op *opcode, arg *value, mark *note) (errmsg string, obj stackObj, ok bool) {
	switch op.code {
	case opPUT, opBINPUT, opLONG_BINPUT, opMEMOIZE:
		var key memoKey
		if op.code == opMEMOIZE {
			key = memoKey{i: int64(d.memo.len())}
			*mark = note{kind: noteMemoizeAs, n: int(key.i)}
		} else {
			key = arg.memoKey()
		}
		switch {
		case d.memoHas(key):
			return "memo key " + memoArgRepr(arg) + " already defined", 0, false
		case len(d.stack) == 0:
			return "stack is empty -- can't store into memo", 0, false
		case d.stack[len(d.stack)-1] == markObj:
			return "can't store markobject in the memo", 0, false
		}
		d.memo.put(key, d.stack[len(d.stack)-1])
	case opGET, opBINGET, opLONG_BINGET:
		obj, ok := d.memo.get(arg.memoKey())
		if !ok {
			return "memo key " + memoArgRepr(arg) + " has never been stored into", 0, false
		}
		return "", obj, true
	}
	return "", 0, false
}

func (d *disassembler) memoHas(key memoKey) bool {
	_, ok := d.memo.get(key)
	return ok
}

// finishLine appends the argument, the MARK note and the annotation, and
// ends the line.
func (d *disassembler) finishLine(op *opcode, arg *value, mark note, lineStart int) error {
	if arg.kind != noValue || mark.kind != noteNone {
		for i := len(op.name); i < 10; i++ {
			d.out = append(d.out, ' ')
		}
		if arg.kind != noValue {
			d.out = append(d.out, ' ')
			var err error
			if d.out, err = arg.appendRepr(d.out); err != nil {
				d.out = d.out[:lineStart] // Python failed before printing the line
				return err
			}
		}
		if mark.kind != noteNone {
			d.out = append(d.out, ' ')
			d.out = mark.appendTo(d.out)
		}
	}
	if d.annotate != 0 {
		if err := d.appendAnnotation(op, lineStart); err != nil {
			return err
		}
	}
	d.out = append(d.out, '\n')
	return nil
}

// appendAnnotation pads the line to the annotation column and adds the
// opcode's description; the column follows long lines up to 50.
func (d *disassembler) appendAnnotation(op *opcode, lineStart int) error {
	width := utf8.RuneCount(d.out[lineStart:])
	if err := d.room(d.annocol - width); err != nil {
		return err
	}
	d.out = appendBlanks(d.out, d.annocol-width)
	d.annocol = max(width, d.annocol)
	if d.annocol > 50 {
		d.annocol = d.annotate
	}
	d.out = append(d.out, ' ')
	d.out = append(d.out, op.doc...)
	return nil
}

// room fails with ErrTooLong when n more bytes would take the output past
// its limit.
func (d *disassembler) room(n int) error {
	if len(d.out)-d.outStart+n > d.outLimit {
		return fmt.Errorf("%w: over %d bytes", ErrTooLong, d.outLimit)
	}
	return nil
}
