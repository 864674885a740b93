package zpickle

import (
	"math"
	"strconv"
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

// appendBytesRepr appends repr(s) of Python bytes: b'...'.
func appendBytesRepr(b []byte, s string) []byte {
	q := quoteFor(s)
	b = append(b, 'b', q)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c >= 0x20 && c < 0x7f:
			b = append(b, c)
		default:
			b = appendEscape(b, 'x', uint32(c), 2)
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

// appendFloatRepr appends repr(f): the shortest text that reads back as f,
// in fixed notation when the decimal exponent is in [-4, 16), else in
// scientific notation with a signed exponent of two digits or more. dot0
// adds ".0" to integral values, as float's repr does and complex's does not.
func appendFloatRepr(b []byte, f float64, dot0 bool) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	// Shortest digits and exponent: d.ddde±x.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	if neg {
		b = append(b, '-')
	}
	decpt := exp + 1 // value = 0.digits × 10^decpt
	if decpt <= -4 || decpt > 16 {
		b = append(b, digits[0])
		if len(digits) > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	switch {
	case decpt <= 0:
		b = append(b, "0."...)
		b = append(b, strings.Repeat("0", -decpt)...)
		b = append(b, digits...)
	case decpt >= len(digits):
		b = append(b, digits...)
		b = append(b, strings.Repeat("0", decpt-len(digits))...)
		if dot0 {
			b = append(b, ".0"...)
		}
	default:
		b = append(b, digits[:decpt]...)
		b = append(b, '.')
		b = append(b, digits[decpt:]...)
	}
	return b
}

// appendComplexRepr appends repr(complex(re, im)).
func appendComplexRepr(b []byte, re, im float64) []byte {
	if re == 0 && !math.Signbit(re) {
		b = appendFloatRepr(b, im, false)
		return append(b, 'j')
	}
	b = append(b, '(')
	b = appendFloatRepr(b, re, false)
	if !math.Signbit(im) || math.IsNaN(im) {
		b = append(b, '+')
	}
	b = appendFloatRepr(b, im, false)
	return append(b, 'j', ')')
}
