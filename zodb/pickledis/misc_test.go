package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// Python's repr of these floats.
func TestFloatRepr(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{math.Float64frombits(0x0000000000000000), "0.0"},
		{math.Float64frombits(0x8000000000000000), "-0.0"},
		{math.Float64frombits(0x3ff0000000000000), "1.0"},
		{math.Float64frombits(0x3ff8000000000000), "1.5"},
		{math.Float64frombits(0xc002000000000000), "-2.25"},
		{math.Float64frombits(0x3fb999999999999a), "0.1"},
		{math.Float64frombits(0x3fd5555555555555), "0.3333333333333333"},
		{math.Float64frombits(0x4341c37937e08000), "1e+16"},
		{math.Float64frombits(0x430c6bf526340000), "1000000000000000.0"},
		{math.Float64frombits(0x437b69b4ba630f35), "1.2345678901234568e+17"},
		{math.Float64frombits(0x3f1a36e2eb1c432d), "0.0001"},
		{math.Float64frombits(0x3ee4f8b588e368f1), "1e-05"},
		{math.Float64frombits(0x01b01297d23ab683), "1.5e-300"},
		{math.Float64frombits(0x0000000000000001), "5e-324"},
		{math.Float64frombits(0x7fefffffffffffff), "1.7976931348623157e+308"},
		{math.Float64frombits(0x3efa36e2eb1c432d), "2.5e-05"},
		{math.Float64frombits(0x4059000000000000), "100.0"},
		{math.Float64frombits(0x4480f0cf064dd592), "1e+22"},
		{math.Float64frombits(0x40c81cd6c8b43958), "12345.678"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	} {
		if got := string(pyquote.AppendFloatRepr(nil, c.f, true)); got != c.want {
			t.Errorf("repr(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestDumpObject(t *testing.T) {
	// the state pickle reuses memo 0 from the class pickle; then extra bytes
	data := []byte("\x80\x03cm\nC\nq\x00.\x80\x03h\x00\x85q\x01.\xc3\xa9\xcc\x81\x00\"")
	want := "" +
		"      0: \\x80 PROTO      3\n" +
		"      2: c    GLOBAL     'm C'\n" +
		"      7: q    BINPUT     0\n" +
		"      9: .    STOP\n" +
		"  highest protocol among opcodes = 2\n" +
		"     10: \\x80 PROTO      3\n" +
		"     12: h    BINGET     0\n" +
		"     14: \\x85 TUPLE1\n" +
		"     15: q    BINPUT     1\n" +
		"     17: .    STOP\n" +
		"  highest protocol among opcodes = 2\n" +
		"  + extra data \"é\\xcc\\x81\\x00\\\"\"\n"
	var out bytes.Buffer
	if err := DumpObject(&out, data); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}

	// zodbdump prints nothing of a record it cannot disassemble
	out.Reset()
	err := DumpObject(&out, []byte("\x80\x03cm\nC\nq\x00.\x80\x03q\x01."))
	var perr *Error
	if !errors.As(err, &perr) || perr.Msg != "stack is empty -- can't store into memo" {
		t.Errorf("bad record: error %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("bad record: wrote %q", out.String())
	}
}

func TestDumpExtension(t *testing.T) {
	for _, c := range []struct {
		ext, want, err string
	}{
		{"", "extension \"\"\n", ""},
		{"}.", "extension\n      0: }    EMPTY_DICT\n      1: .    STOP\n  highest protocol among opcodes = 1\n", ""},
		{"}.x", "extension\n      0: }    EMPTY_DICT\n      1: .    STOP\n  highest protocol among opcodes = 1\n" +
			"  + extra data \"x\"\n", ""},
		// zodbdump has printed the "extension" line when pickletools fails
		{"}", "extension\n", "pickle exhausted before seeing STOP"},
	} {
		var out bytes.Buffer
		err := DumpExtension(&out, []byte(c.ext))
		if out.String() != c.want {
			t.Errorf("DumpExtension(%q):\n got: %q\nwant: %q", c.ext, out.String(), c.want)
		}
		var perr *Error
		if c.err == "" && err != nil || c.err != "" && (!errors.As(err, &perr) || perr.Msg != c.err) {
			t.Errorf("DumpExtension(%q): error %v, want %q", c.ext, err, c.err)
		}
	}
}

func TestDisOffsetMemo(t *testing.T) {
	memo := &Memo{}
	var out bytes.Buffer
	if _, err := Dis(&out, []byte("Nq\x05."), Options{Memo: memo, Offset: 100}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	n, err := Dis(&out, []byte("h\x05.junk"), Options{Memo: memo, Offset: 1000})
	if err != nil || n != 3 {
		t.Fatalf("n, err = %d, %v", n, err)
	}
	want := " 1000: h    BINGET     5\n 1002: .    STOP\nhighest protocol among opcodes = 1\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteError(t *testing.T) {
	if _, err := Dis(failWriter{}, []byte("N."), Options{}); !errors.Is(err, errWrite) {
		t.Errorf("Dis: error %v, want the writer's", err)
	}
	if err := DumpObject(failWriter{}, []byte("N.N.")); !errors.Is(err, errWrite) {
		t.Errorf("DumpObject: error %v, want the writer's", err)
	}
	if err := DumpExtension(failWriter{}, []byte("}.")); !errors.Is(err, errWrite) {
		t.Errorf("DumpExtension: error %v, want the writer's", err)
	}
}

func TestNormalizePy2(t *testing.T) {
	in := "X    BINUNICODE u'a'\nX    BINUNICODE u\"b'\"\nC    SHORT_BINBYTES '\\x00'\n" +
		"B    BINBYTES \"'\"\nU    SHORT_BINSTRING 'u'\n"
	want := "X    BINUNICODE 'a'\nX    BINUNICODE \"b'\"\nC    SHORT_BINBYTES b'\\x00'\n" +
		"B    BINBYTES b\"'\"\nU    SHORT_BINSTRING 'u'\n"
	if got := string(NormalizePy2([]byte(in))); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Output that grows without bound in the options or the MARK depth stops.
func TestTooLong(t *testing.T) {
	for _, c := range []struct {
		in  string
		opt Options
	}{
		{"N.", Options{Annotate: 1 << 40}},
		{"(N.", Options{Indent: 1 << 40}},
		{"(N.", Options{Indent: 1 << 62}},
		{strings.Repeat("(", 1<<13) + strings.Repeat("N", 1<<11) + ".", Options{}},
	} {
		_, err := Dis(io.Discard, []byte(c.in), c.opt)
		if !errors.Is(err, ErrTooLong) {
			t.Errorf("Dis(%.20q, %+v): error %v, want ErrTooLong", c.in, c.opt, err)
		}
	}
}
