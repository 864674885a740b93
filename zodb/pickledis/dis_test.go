package pickledis

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// disCase is a pickle and what Python prints for it: the output of
// pickletools.dis (zodbpickle's for protocols 0-3, Python 3.11's beyond)
// with the given indentlevel and annotate, and the message of the
// exception it raises, if any. The expectations were produced by running
// the Python disassemblers on these inputs.
type disCase struct {
	in               string
	indent, annotate int
	want, err        string
}

var disCases = []disCase{
	{in: "I00\n.", indent: 0, annotate: 0,
		want: "    0: I    INT        False\n    4: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "I 12 \n.", indent: 0, annotate: 0,
		want: "    0: I    INT        12\n    6: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "I12L\n.", indent: 0, annotate: 0,
		want: "",
		err:  "trailing 'L' not allowed in b'12L'"},
	{in: "I1__2\n.", indent: 0, annotate: 0,
		want: "",
		err:  "invalid literal for int() with base 10: b'1__2'"},
	{in: "I" + strings.Repeat("1", 4301) + "\n.", indent: 0, annotate: 0,
		want: "",
		err:  "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit"},
	{in: "L999999999999999999999999999999L\n.", indent: 0, annotate: 0,
		want: "    0: L    LONG       999999999999999999999999999999\n   33: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "F1e16\n.", indent: 0, annotate: 0,
		want: "    0: F    FLOAT      1e+16\n    6: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "F 1_0.5e-1_0 \n.", indent: 0, annotate: 0,
		want: "    0: F    FLOAT      1.05e-09\n   14: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "F0x10\n.", indent: 0, annotate: 0,
		want: "",
		err:  "could not convert string to float: b'0x10'"},
	{in: "F-nan\n.", indent: 0, annotate: 0,
		want: "    0: F    FLOAT      nan\n    6: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "S'\x5cx41\x5c101\x5c777\x5cq\x5cn\x5c\x5c'\n.", indent: 0, annotate: 0,
		want: "",
		err:  "'ascii' codec can't decode byte 0xff in position 2: ordinal not in range(128)"},
	{in: "S'abc\n.", indent: 0, annotate: 0,
		want: "",
		err:  "strinq quote b\"'\" not found at both ends of b\"'abc\""},
	{in: "S'\x5cx4'\n.", indent: 0, annotate: 0,
		want: "",
		err:  "invalid \\x escape at position 0"},
	{in: "S'\xc3\xa9'\n.", indent: 0, annotate: 0,
		want: "",
		err:  "'ascii' codec can't decode byte 0xc3 in position 0: ordinal not in range(128)"},
	{in: "V\x5cu00e9\x5cU0001F600\x5c\x5cu1234\n.", indent: 0, annotate: 0,
		want: "    0: V    UNICODE    'é😀\\\\\\\\u1234'\n   25: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "Vab\x5cu12\n.", indent: 0, annotate: 0,
		want: "",
		err:  "'rawunicodeescape' codec can't decode bytes in position 2-5: truncated \\uXXXX escape"},
	{in: "X\x03\x00\x00\x00\xed\xa0\x80.", indent: 0, annotate: 0,
		want: "    0: X    BINUNICODE '\\ud800'\n    8: .    STOP\nhighest protocol among opcodes = 1\n",
		err:  ""},
	{in: "X\x03\x00\x00\x00\xe2\x82z.", indent: 0, annotate: 0,
		want: "",
		err:  "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"},
	{in: "X\x0b\x00\x00\x00it's \x22so\x22\xc2\xa0.", indent: 0, annotate: 0,
		want: "    0: X    BINUNICODE 'it\\'s \"so\"\\xa0'\n   16: .    STOP\nhighest protocol among opcodes = 1\n",
		err:  ""},
	{in: "C\x04'\x22\x00\xff.", indent: 0, annotate: 0,
		want: "    0: C    SHORT_BINBYTES b'\\'\"\\x00\\xff'\n    6: .    STOP\nhighest protocol among opcodes = 3\n",
		err:  ""},
	{in: "\x8b\x00\x08\x00\x00" + strings.Repeat("\x7f", 2048) + ".", indent: 0, annotate: 0,
		want: "    0: ",
		err:  "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"},
	{in: "Np00\ng0\n0N.", indent: 0, annotate: 0,
		want: "    0: N    NONE\n    1: p    PUT        False\n    5: g    GET        0\n    8: 0    POP\n    9: N    NONE\n   10: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  "stack not empty after STOP: [None]"},
	{in: "Np0\nNp0\n.", indent: 0, annotate: 0,
		want: "    0: N    NONE\n    1: p    PUT        0\n    4: N    NONE\n    5: p    PUT        0\n",
		err:  "memo key 0 already defined"},
	{in: "(\x85t.", indent: 0, annotate: 0,
		want: "    0: (    MARK\n    1: \\x85     TUPLE1\n    2: ",
		err:  "list index out of range"},
	{in: "(l.", indent: 0, annotate: 0,
		want: "    0: (    MARK\n    1: l        LIST       (MARK at 0)\n    2: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  ""},
	{in: "t.", indent: 0, annotate: 0,
		want: "    0: t    TUPLE      no MARK exists on stack\n",
		err:  "no MARK exists on stack"},
	{in: "N\x94\x94.", indent: 0, annotate: 0,
		want: "    0: N    NONE\n    1: \\x94 MEMOIZE    (as 0)\n    2: \\x94 MEMOIZE    (as 1)\n    3: .    STOP\nhighest protocol among opcodes = 4\n",
		err:  ""},
	{in: "\x80\x05\x95\x0b\x00\x00\x00\x00\x00\x00\x00\x96\x02\x00\x00\x00\x00\x00\x00\x00ab\x94.", indent: 0, annotate: 0,
		want: "    0: \\x80 PROTO      5\n    2: \\x95 FRAME      11\n   11: \\x96 BYTEARRAY8 bytearray(b'ab')\n   22: \\x94 MEMOIZE    (as 0)\n   23: .    STOP\nhighest protocol among opcodes = 5\n",
		err:  ""},
	{in: "\xff", indent: 0, annotate: 0,
		want: "",
		err:  "at position 0, opcode b'\\xff' unknown"},
	{in: "", indent: 0, annotate: 0,
		want: "",
		err:  "pickle exhausted before seeing STOP"},
	{in: "'", indent: 0, annotate: 0,
		want: "",
		err:  "at position 0, opcode b\"'\" unknown"},
	{in: "(((NNt.", indent: 0, annotate: 0,
		want: "    0: (    MARK\n    1: (        MARK\n    2: (            MARK\n    3: N                NONE\n    4: N                NONE\n    5: t                TUPLE      (MARK at 2)\n    6: .            STOP\nhighest protocol among opcodes = 0\n",
		err:  "stack not empty after STOP: [mark, mark]"},
	{in: "(((NNt.", indent: -1, annotate: 0,
		want: "    0: (    MARK\n    1: (    MARK\n    2: (    MARK\n    3: N    NONE\n    4: N    NONE\n    5: t    TUPLE      (MARK at 2)\n    6: .    STOP\nhighest protocol among opcodes = 0\n",
		err:  "stack not empty after STOP: [mark, mark]"},
	{in: "(((NNt.", indent: 2, annotate: 0,
		want: "    0: (    MARK\n    1: (      MARK\n    2: (        MARK\n    3: N          NONE\n    4: N          NONE\n    5: t          TUPLE      (MARK at 2)\n    6: .        STOP\nhighest protocol among opcodes = 0\n",
		err:  "stack not empty after STOP: [mark, mark]"},
	{in: "\x80\x03}q\x00(X\x01\x00\x00\x00aq\x01K\x01X\x0b\x00\x00\x00long keyyyyq\x02\x88u.", indent: 0, annotate: 1,
		want: "    0: \\x80 PROTO      3 Protocol version indicator.\n    2: }    EMPTY_DICT   Push an empty dict.\n    3: q    BINPUT     0 Store the stack top into the memo.  The stack is not popped.\n    5: (    MARK         Push markobject onto the stack.\n    6: X        BINUNICODE 'a' Push a Python Unicode string object.\n   12: q        BINPUT     1   Store the stack top into the memo.  The stack is not popped.\n   14: K        BININT1    1   Push a one-byte unsigned integer.\n   16: X        BINUNICODE 'long keyyyy' Push a Python Unicode string object.\n   32: q        BINPUT     2             Store the stack top into the memo.  The stack is not popped.\n   34: \\x88     NEWTRUE                  True.\n   35: u        SETITEMS   (MARK at 5)   Add an arbitrary number of key+value pairs to an existing dict.\n   36: .    STOP                         Stop the unpickling machine.\nhighest protocol among opcodes = 2\n",
		err:  ""},
	{in: "\x80\x03}q\x00(X\x01\x00\x00\x00aq\x01K\x01X\x19\x00\x00\x00a much longer key here!!!q\x02\x89u.", indent: 0, annotate: 30,
		want: "    0: \\x80 PROTO      3              Protocol version indicator.\n    2: }    EMPTY_DICT                Push an empty dict.\n    3: q    BINPUT     0              Store the stack top into the memo.  The stack is not popped.\n    5: (    MARK                      Push markobject onto the stack.\n    6: X        BINUNICODE 'a'        Push a Python Unicode string object.\n   12: q        BINPUT     1          Store the stack top into the memo.  The stack is not popped.\n   14: K        BININT1    1          Push a one-byte unsigned integer.\n   16: X        BINUNICODE 'a much longer key here!!!' Push a Python Unicode string object.\n   46: q        BINPUT     2                           Store the stack top into the memo.  The stack is not popped.\n   48: \\x89     NEWFALSE                               True.\n   49: u        SETITEMS   (MARK at 5)                 Add an arbitrary number of key+value pairs to an existing dict.\n   50: .    STOP                                       Stop the unpickling machine.\nhighest protocol among opcodes = 2\n",
		err:  ""},
}

func TestDis(t *testing.T) {
	for _, c := range disCases {
		var out bytes.Buffer
		n, err := Dis(&out, []byte(c.in), Options{Indent: c.indent, Annotate: c.annotate})
		if got := out.String(); got != c.want {
			t.Errorf("Dis(%.40q):\n got: %q\nwant: %q", c.in, got, c.want)
		}
		var perr *Error
		switch {
		case c.err == "" && err != nil:
			t.Errorf("Dis(%.40q): unexpected error %v", c.in, err)
		case c.err == "" && n != len(c.in):
			t.Errorf("Dis(%.40q): n = %d, want %d", c.in, n, len(c.in))
		case c.err != "" && !errors.As(err, &perr):
			t.Errorf("Dis(%.40q): error %v, want *Error %q", c.in, err, c.err)
		case c.err != "" && perr.Msg != c.err:
			t.Errorf("Dis(%.40q): error\n got: %q\nwant: %q", c.in, perr.Msg, c.err)
		}
	}
}
