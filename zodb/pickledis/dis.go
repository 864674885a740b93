package pickledis

import (
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

// Memo is pickletools' emulation of the unpickler's memo: which indices
// are defined, and the kind of object each holds. The zero value is empty.
// A Memo must not be used by two calls at once.
type Memo struct {
	m map[memoKey]stackObj
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
// Any other error is w's.
func Dis(w io.Writer, pickle []byte, opt Options) (n int, err error) {
	d := newDisassembler(pickle, opt)
	err = d.run()
	if _, werr := w.Write(d.out); werr != nil && err == nil {
		err = werr
	}
	return d.r.pos, err
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
	indent    string
	annotate  int
	annocol   int
	out       []byte
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
		out:      make([]byte, 0, 48*len(pickle)/4+64),
	}
	if indent > 0 {
		d.indent = spaces(indent)
	}
	if d.memo == nil {
		d.memo = &Memo{}
	}
	if d.memo.m == nil {
		d.memo.m = make(map[memoKey]stackObj)
	}
	return d
}

func spaces(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
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
				d.offset+pos, appendBytesRepr(nil, d.r.in[pos:pos+1]))
		}
		d.r.pos++
		arg, err := d.r.readArg(op.arg)
		if err != nil {
			return err
		}
		if err := d.step(op, &arg, d.offset+pos); err != nil {
			return err
		}
		if op.code == '.' {
			break
		}
	}
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
	d.out = appendPos(d.out, pos)
	lineStart := len(d.out)
	d.out = appendOpcodeRepr(d.out, op.code)
	for range len(d.markstack) {
		d.out = append(d.out, d.indent...)
	}
	d.out = append(d.out, op.name...)
	if op.proto > d.maxproto {
		d.maxproto = op.proto
	}

	numtopop := len(op.before)
	markmsg, errmsg, err := d.popMark(op, &numtopop)
	if err != nil {
		d.out = d.out[:lineStart] // Python failed before printing the line
		return err
	}
	after := op.after
	if msg, obj, ok := d.checkMemo(op, arg, &markmsg); msg != "" {
		errmsg = msg
	} else if ok {
		after = []stackObj{obj}
	}
	if err := d.finishLine(op, arg, markmsg, lineStart); err != nil {
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
func (d *disassembler) popMark(op *opcode, numtopop *int) (markmsg, errmsg string, err error) {
	popsMark := op.markAt >= 0 ||
		(op.name == "POP" && len(d.stack) > 0 && d.stack[len(d.stack)-1] == markObj)
	if !popsMark {
		return "", "", nil
	}
	if len(d.markstack) == 0 {
		msg := "no MARK exists on stack"
		return msg, msg, nil
	}
	markpos := d.markstack[len(d.markstack)-1]
	d.markstack = d.markstack[:len(d.markstack)-1]
	markmsg = fmt.Sprintf("(MARK at %d)", markpos)
	for {
		if len(d.stack) == 0 {
			// the MARK was taken by an opcode that does not know marks
			return "", "", &Error{Type: "IndexError", Msg: "list index out of range"}
		}
		top := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		if top == markObj {
			break
		}
	}
	*numtopop = max(op.markAt, 0)
	return markmsg, "", nil
}

// checkMemo checks and applies a memo store (PUT, BINPUT, LONG_BINPUT,
// MEMOIZE) or fetch (GET, BINGET, LONG_BINGET). For a fetch of a known
// index it returns the kind of the memo's object, which the opcode pushes.
func (d *disassembler) checkMemo(op *opcode, arg *value, markmsg *string) (errmsg string, obj stackObj, ok bool) {
	switch op.name {
	case "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE":
		key, argRepr := memoKey{}, ""
		if op.name == "MEMOIZE" {
			key = memoKey{i: int64(len(d.memo.m))}
			*markmsg = fmt.Sprintf("(as %d)", key.i)
			argRepr = "None"
		} else {
			key = arg.memoKey()
			argRepr = memoArgRepr(arg)
		}
		switch {
		case d.memoHas(key):
			return "memo key " + argRepr + " already defined", 0, false
		case len(d.stack) == 0:
			return "stack is empty -- can't store into memo", 0, false
		case d.stack[len(d.stack)-1] == markObj:
			return "can't store markobject in the memo", 0, false
		}
		d.memo.m[key] = d.stack[len(d.stack)-1]
	case "GET", "BINGET", "LONG_BINGET":
		obj, ok := d.memo.m[arg.memoKey()]
		if !ok {
			return "memo key " + memoArgRepr(arg) + " has never been stored into", 0, false
		}
		return "", obj, true
	}
	return "", 0, false
}

func (d *disassembler) memoHas(key memoKey) bool {
	_, ok := d.memo.m[key]
	return ok
}

func memoArgRepr(arg *value) string {
	b, err := arg.appendRepr(nil)
	if err != nil { // an index past 4300 digits: cannot come from a reader
		return "<int>"
	}
	return string(b)
}

// finishLine appends the argument, the MARK note and the annotation, and
// ends the line.
func (d *disassembler) finishLine(op *opcode, arg *value, markmsg string, lineStart int) error {
	if arg.kind != noValue || markmsg != "" {
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
		if markmsg != "" {
			d.out = append(d.out, ' ')
			d.out = append(d.out, markmsg...)
		}
	}
	if d.annotate != 0 {
		d.appendAnnotation(op, lineStart)
	}
	d.out = append(d.out, '\n')
	return nil
}

// appendAnnotation pads the line to the annotation column and adds the
// opcode's description; the column follows long lines up to 50.
func (d *disassembler) appendAnnotation(op *opcode, lineStart int) {
	width := utf8.RuneCount(d.out[lineStart:])
	for i := width; i < d.annocol; i++ {
		d.out = append(d.out, ' ')
	}
	d.annocol = max(width, d.annocol)
	if d.annocol > 50 {
		d.annocol = d.annotate
	}
	d.out = append(d.out, ' ')
	d.out = append(d.out, op.doc...)
}
