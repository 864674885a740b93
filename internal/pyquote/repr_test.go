package pyquote

import "testing"

// Python 3's repr() of these bytes objects.
func TestAppendBytesRepr(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "b''"},
		{"abc", "b'abc'"},
		{"it's", `b"it's"`},
		{`it's "x"`, `b'it\'s "x"'`},
		{"a\\b", `b'a\\b'`},
		{"\t\n\r\x00\x7f\x80\xff", `b'\t\n\r\x00\x7f\x80\xff'`},
	} {
		if got := string(AppendBytesRepr(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("AppendBytesRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := string(AppendASCIIRepr(nil, []byte(" "))); got != "' '" {
		t.Errorf("AppendASCIIRepr(\" \") = %s", got)
	}
}
