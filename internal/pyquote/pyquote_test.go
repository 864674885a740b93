package pyquote

import (
	"testing"
	"unicode"
)

// The Unicode 14 adjustment of IsPrintable and isQQVerbatim is computed
// for one Unicode version of Go's tables.
func TestUnicodeVersion(t *testing.T) {
	if unicode.Version != goUnicodeVersion {
		t.Fatalf("Go's Unicode is %s, newerThan14 was computed for %s: recompute it "+
			"(compare unicodedata.category of Python 3.11 with Go's tables for every code point)",
			unicode.Version, goUnicodeVersion)
	}
}

func TestCharClasses(t *testing.T) {
	for _, c := range []struct {
		r             rune
		printable, qq bool
	}{
		{'a', true, true},
		{' ', true, true},
		{0x7f, false, false},
		{0xa0, false, false},    // NBSP: Zs
		{0xe9, true, true},      // é
		{0x301, true, false},    // combining acute: Mn
		{0x200b, false, false},  // zero width space: Cf
		{0x2028, false, false},  // line separator: Zl
		{0x0cf3, false, false},  // assigned in Unicode 15 only
		{0x31350, false, false}, // CJK extension H: Unicode 15
		{0x1f600, true, true},   // 😀
		{0xe0001, false, false}, // language tag: Cf
		{0xd800, false, false},  // surrogate
	} {
		if got := IsPrintable(c.r); got != c.printable {
			t.Errorf("IsPrintable(%U) = %v, want %v", c.r, got, c.printable)
		}
		if c.r >= 0x80 && c.r != 0xd800 {
			if got := isQQVerbatim(c.r); got != c.qq {
				t.Errorf("isQQVerbatim(%U) = %v, want %v", c.r, got, c.qq)
			}
		}
	}
}
