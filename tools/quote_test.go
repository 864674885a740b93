package tools

import (
	"strconv"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{" ", `" "`},
		{"alice", `"alice"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"t\tn\nr\r", `"t\tn\nr\r"`},
		{"\x00\x01\x7f\x1b", `"\x00\x01\x7f\x1b"`},
		{"ünïcödé ☃ 日本語 Ωμέγα 😀", `"ünïcödé ☃ 日本語 Ωμέγα 😀"`},
		{"\xff\xfe", `"\xff\xfe"`},
		{"\u00a0nbsp", `"\xc2\xa0nbsp"`},         // Zs: a space other than ASCII's
		{"\u200bzwsp", `"\xe2\x80\x8bzwsp"`},     // Cf
		{"e\u0301", `"e\xcc\x81"`},               // Mn: combining mark
		{"\u2028", `"\xe2\x80\xa8"`},             // Zl
		{"\xe2\x82", `"\xe2\x82"`},               // truncated sequence
		{"\xed\xa0\x80", `"\xed\xa0\x80"`},       // surrogate: invalid UTF-8
		{"\xef\xbf\xbd", "\"\xef\xbf\xbd\""},     // U+FFFD itself is a symbol
		{"\x80\x03}q\x00.", `"\x80\x03}q\x00."`}, // a pickle
	} {
		if got := Quote([]byte(tt.in)); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzQuote checks that quoting loses nothing (Go's strconv.Unquote reads
// the same escapes) and yields one line of valid UTF-8.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "alice", "raw \xff\xfe user \xc2\xa0nbsp \xe2\x80\x8bzwsp e\xcc\x81 \x7f del 😀",
		"T16: empty transaction, raw metadata\r\n\x00\x01 ctl \xe2\x80\xa8 ls", "\x80\x03}q\x00X\x06\x00\x00\x00x-stepq\x01K\x13s."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		q := Quote(s)
		if !utf8.ValidString(q) {
			t.Fatalf("Quote(%q) = %q: not UTF-8", s, q)
		}
		for _, c := range []byte(q) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("Quote(%q) = %q: holds control byte %#x", s, q, c)
			}
		}
		u, err := strconv.Unquote(q)
		if err != nil || u != string(s) {
			t.Fatalf("Unquote(Quote(%q)) = %q, %v", s, u, err)
		}
	})
}
