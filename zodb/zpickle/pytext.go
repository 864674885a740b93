package zpickle

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python's repr of str, bytes and float, as Python 3 writes them.

// appendStrRepr appends repr(s) of a Python 3 str.
func appendStrRepr(b []byte, s string) []byte {
	q := quoteFor(s)
	b = append(b, q)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			// Python decodes pickled str with surrogatepass, so a lone
			// surrogate comes to us as its 3-byte encoding.
			if sr, ok := surrogate(s[i:]); ok {
				b = appendEscape(b, 'u', uint32(sr), 4)
				i += 3
				continue
			}
			b = appendEscape(b, 'x', uint32(s[i]), 2)
			i++
			continue
		}
		i += n
		switch {
		case r == rune(q) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x7f && r >= 0x20:
			b = append(b, byte(r))
		case r < 0x20 || r == 0x7f:
			b = appendEscape(b, 'x', uint32(r), 2)
		case unicode.IsPrint(r):
			b = utf8.AppendRune(b, r)
		case r < 0x100:
			b = appendEscape(b, 'x', uint32(r), 2)
		case r < 0x10000:
			b = appendEscape(b, 'u', uint32(r), 4)
		default:
			b = appendEscape(b, 'U', uint32(r), 8)
		}
	}
	return append(b, q)
}

// quoteFor picks Python's quote: ' unless the text has ' and no ".
func quoteFor(s string) byte {
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		return '"'
	}
	return '\''
}

func appendEscape(b []byte, kind byte, v uint32, width int) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '\\', kind)
	for i := width - 1; i >= 0; i-- {
		b = append(b, hex[(v>>(4*uint(i)))&0xf])
	}
	return b
}

// surrogate decodes the 3-byte encoding of U+D800..U+DFFF, which Go's
// UTF-8 decoder rejects.
func surrogate(s string) (rune, bool) {
	if len(s) < 3 || s[0] != 0xed || s[1] < 0xa0 || s[1] > 0xbf || s[2] < 0x80 || s[2] > 0xbf {
		return 0, false
	}
	return rune(0xd000) | rune(s[1]&0x3f)<<6 | rune(s[2]&0x3f), true
}

// appendComplexRepr appends repr(complex(re, im)).
func appendComplexRepr(b []byte, re, im float64) []byte {
	if re == 0 && !math.Signbit(re) {
		b = pyquote.AppendFloatRepr(b, im, false)
		return append(b, 'j')
	}
	b = append(b, '(')
	b = pyquote.AppendFloatRepr(b, re, false)
	if !math.Signbit(im) || math.IsNaN(im) {
		b = append(b, '+')
	}
	b = pyquote.AppendFloatRepr(b, im, false)
	return append(b, 'j', ')')
}
