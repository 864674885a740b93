package zpickle

import (
	"math"
	"strings"
	"testing"

	ogórek "github.com/kisielk/og-rek"
)

// The expected texts are what Python 3.11's repr prints for the same values.
func TestReprPython(t *testing.T) {
	c := func(re, im float64) ogórek.Call {
		return ogórek.Call{Callable: ogórek.Class{Module: "builtins", Name: "complex"}, Args: ogórek.Tuple{re, im}}
	}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{1.0, "1.0"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {0.0001, "0.0001"},
		{0.00001, "1e-05"}, {1.5e-7, "1.5e-07"}, {123456789012345678.0, "1.2345678901234568e+17"},
		{math.Copysign(0, -1), "-0.0"}, {1e22, "1e+22"}, {0.1, "0.1"}, {2.5e-5, "2.5e-05"},
		{1e-310, "1e-310"}, {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{12345.678, "12345.678"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
		{c(1, -2), "(1-2j)"}, {c(0, 2), "2j"}, {c(math.Copysign(0, -1), 2), "(-0+2j)"},
		{c(1, math.Copysign(0, -1)), "(1-0j)"}, {c(0, 1e16), "1e+16j"}, {c(1.5, math.NaN()), "(1.5+nanj)"},
		{c(math.Inf(1), 0), "(inf+0j)"},
		{"it's", `"it's"`}, {`say "hi"`, `'say "hi"'`}, {`both ' "`, `'both \' "'`},
		{"tab\there\x00\x7f\u0080\u00a0\u00ad\u2028\U0001F600\U000e0001é\\", `'tab\there\x00\x7f\x80\xa0\xad\u2028😀\U000e0001é\\'`},
		{"\xed\xa0\x80", `'\ud800'`}, // a lone surrogate, as surrogatepass decodes it
		{ogórek.Bytes("it's"), `b"it's"`}, {ogórek.Bytes("\x00\\'\""), `b'\x00\\\'"'`},
		{ogórek.ByteString("abc"), "'abc'"}, {ogórek.ByteString("\xe9"), `b'\xe9'`},
		{[]byte("a"), "bytearray(b'a')"},
		{ogórek.Tuple{}, "()"}, {ogórek.Tuple{int64(1)}, "(1,)"}, {[]any{}, "[]"},
		{ogórek.NewDict(), "{}"}, {ogórek.None{}, "None"},
		{ogórek.Class{Module: "builtins", Name: "int"}, "<class 'int'>"},
		{ogórek.Call{Callable: ogórek.Class{Module: "builtins", Name: "set"}, Args: ogórek.Tuple{[]any{}}}, "set()"},
	} {
		if got := Repr(tt.v); got != tt.want {
			t.Errorf("Repr(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestReprOrder(t *testing.T) {
	d := ogórek.NewDict()
	for _, k := range []any{"b", int64(10), 2.5, "a", ogórek.Bytes("z"), ogórek.Tuple{int64(1), "x"},
		ogórek.Tuple{int64(1)}, int64(2), ogórek.None{}, Ref{Oid: 2}, Ref{Oid: 1}} {
		d.Set(k, int64(0))
	}
	want := "{None: 0, 2: 0, 2.5: 0, 10: 0, 'a': 0, 'b': 0, b'z': 0, (1,): 0, (1, 'x'): 0, <ref oid=0x1>: 0, <ref oid=0x2>: 0}"
	for i := 0; i < 5; i++ { // the dict's own order is random
		if got := Repr(d); got != want {
			t.Fatalf("Repr = %s\nwant   %s", got, want)
		}
	}
}

func TestReprCycles(t *testing.T) {
	d := ogórek.NewDict()
	d.Set("self", d)
	d.Set("list", []any{d})
	if got, want := Repr(d), "{'list': [{...}], 'self': {...}}"; got != want {
		t.Errorf("Repr = %s, want %s", got, want)
	}
	o := &Object{Class: ogórek.Class{Module: "m", Name: "C"}}
	o.State = ogórek.Tuple{o, o}
	if got, want := Repr(o), "<m.C object state=(<...>, <...>)>"; got != want {
		t.Errorf("Repr = %s, want %s", got, want)
	}
}

func TestReprLimits(t *testing.T) {
	// Nesting deeper than the limit is cut.
	var v any = int64(1)
	for i := 0; i < 10*reprMaxDepth; i++ {
		v = ogórek.Tuple{v}
	}
	if s := Repr(v); !strings.Contains(s, "(...,)") || len(s) > 4*reprMaxDepth {
		t.Errorf("deep value: %d bytes of text", len(s))
	}

	// A value shared through the memo 2**64 times over is cut at the limit.
	var w any = "x"
	for i := 0; i < 64; i++ {
		w = []any{w, w}
	}
	s := Repr(w)
	if len(s) > reprMaxLen+3 || !strings.Contains(s, "...") {
		t.Errorf("wide value: %d bytes of text", len(s))
	}
}

// TestReprSelfSet: a pickle can add a set to itself (EMPTY_SET, ADDITEMS
// of its own memo entry), which no Python set can do.
func TestReprSelfSet(t *testing.T) {
	_, state, err := Decode(record("\x8fq\x00(h\x00h\x00\x90."))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Repr(state), "{{...}, {...}}"; got != want {
		t.Errorf("Repr = %s, want %s", got, want)
	}
}
