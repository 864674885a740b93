package pyquote

import "testing"

// TestBytesReprAll compares with Python 3.11's repr() of the same bytes.
func TestBytesReprAll(t *testing.T) {
	var all []byte
	for i := 0; i < 256; i += 7 {
		all = append(all, byte(i))
	}
	for in, want := range map[string]string{
		"":             `b''`,
		"it's":         `b"it's"`,
		`say "hi"`:     `b'say "hi"'`,
		`both ' and "`: `b'both \' and "'`,
		`back\slash`:   `b'back\\slash'`,
		"\t\n\r":       `b'\t\n\r'`,
		string(all):    `b'\x00\x07\x0e\x15\x1c#*18?FMT[bipw~\x85\x8c\x93\x9a\xa1\xa8\xaf\xb6\xbd\xc4\xcb\xd2\xd9\xe0\xe7\xee\xf5\xfc'`,
	} {
		if got := string(AppendBytesRepr(nil, []byte(in))); got != want {
			t.Errorf("repr(%q) = %s, want %s", in, got, want)
		}
	}
}
