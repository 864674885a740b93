package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// This file writes values the way Python 3.11's repr() writes them, which
// is how pickletools prints an opcode's argument.

const hexDigits = "0123456789abcdef"

// appendHexEscape appends \x, \u or \U and the lower-case hex digits of c.
func appendHexEscape(out []byte, esc byte, c rune, ndigit int) []byte {
	out = append(out, '\\', esc)
	for shift := 4 * (ndigit - 1); shift >= 0; shift -= 4 {
		out = append(out, hexDigits[(c>>uint(shift))&0xf])
	}
	return out
}

// pyStr is a Python str in one of the encodings the argument readers meet,
// kept undecoded so that the common case costs no allocation.
type pyStr struct {
	enc   strEncoding
	b     []byte // latin1 or utf8 text
	runes []rune // runes text
}

type strEncoding uint8

const (
	latin1 strEncoding = iota // one code point per byte
	utf8sp                    // UTF-8 already validated, surrogates allowed
	runes                     // decoded code points, surrogates allowed
)

// size is the length of s's storage; at(i) decodes the code point that
// starts at storage index i and says how many storage units it takes.
func (s *pyStr) size() int {
	if s.enc == runes {
		return len(s.runes)
	}
	return len(s.b)
}

func (s *pyStr) at(i int) (rune, int) {
	switch s.enc {
	case latin1:
		return rune(s.b[i]), 1
	case utf8sp:
		return decodeRuneSP(s.b[i:])
	default:
		return s.runes[i], 1
	}
}

// appendStrRepr appends repr(s) of a Python str: '...' with Python's
// escapes; printable non-ASCII characters are written as UTF-8.
func appendStrRepr(out []byte, s *pyStr) []byte {
	var hasSingle, hasDouble bool
	for i := 0; i < s.size(); {
		r, n := s.at(i)
		hasSingle = hasSingle || r == '\''
		hasDouble = hasDouble || r == '"'
		i += n
	}
	q := rune(pyquote.ReprQuote(hasSingle, hasDouble))
	out = append(out, byte(q))
	for i := 0; i < s.size(); {
		r, n := s.at(i)
		out = appendStrChar(out, r, q)
		i += n
	}
	return append(out, byte(q))
}

// appendStrChar appends one character of a str repr quoted with q.
func appendStrChar(out []byte, r, q rune) []byte {
	switch {
	case r == q || r == '\\':
		return append(out, '\\', byte(r))
	case r == '\t':
		return append(out, '\\', 't')
	case r == '\n':
		return append(out, '\\', 'n')
	case r == '\r':
		return append(out, '\\', 'r')
	case r < 0x20 || r == 0x7f:
		return appendHexEscape(out, 'x', r, 2)
	case r < 0x7f:
		return append(out, byte(r))
	case pyquote.IsPrintable(r):
		return utf8.AppendRune(out, r)
	case r <= 0xff:
		return appendHexEscape(out, 'x', r, 2)
	case r <= 0xffff:
		return appendHexEscape(out, 'u', r, 4)
	default:
		return appendHexEscape(out, 'U', r, 8)
	}
}

// maxStrDigits is Python 3.11's default sys.get_int_max_str_digits(): int
// to and from decimal text refuses longer numbers.
const maxStrDigits = 4300

// appendBigRepr appends repr(x) of a Python int, failing as Python does for
// a number of more than maxStrDigits decimal digits.
func appendBigRepr(out []byte, x *big.Int) ([]byte, error) {
	tooLong := valueError("Exceeds the limit (%d digits) for integer string "+
		"conversion; use sys.set_int_max_str_digits() to increase the limit", maxStrDigits)
	// A number of 14286 bits or more has over 4300 digits: refuse it before
	// the conversion, which grows faster than linearly with the size.
	if x.BitLen() > maxStrBits {
		return out, tooLong
	}
	start := len(out)
	out = x.Append(out, 10)
	ndigit := len(out) - start
	if x.Sign() < 0 {
		ndigit--
	}
	if ndigit > maxStrDigits {
		return out[:start], tooLong
	}
	return out, nil
}

// maxStrBits is the bit length past which an int surely has more than
// maxStrDigits digits: 2**14285 > 10**4300.
const maxStrBits = 14285

// appendFloatRepr appends repr(f) of a Python float: the shortest digits
// that read back as f, in positional notation for exponents -4 ≤ e < 16 and
// in scientific notation (at least two exponent digits) otherwise.
func appendFloatRepr(out []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(out, "nan"...)
	case math.IsInf(f, 1):
		return append(out, "inf"...)
	case math.IsInf(f, -1):
		return append(out, "-inf"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		out = append(out, '-')
	}
	epos := len(e) - 1
	for e[epos] != 'e' {
		epos--
	}
	exp, _ := strconv.Atoi(string(e[epos+1:]))
	digits := make([]byte, 0, 17)
	digits = append(digits, e[0])
	if epos > 1 {
		digits = append(digits, e[2:epos]...)
	}
	if exp < -4 || exp >= 16 {
		return appendScientific(out, digits, exp)
	}
	return appendPositional(out, digits, exp)
}

// appendScientific writes d[.ddd]e±XX.
func appendScientific(out, digits []byte, exp int) []byte {
	out = append(out, digits[0])
	if len(digits) > 1 {
		out = append(out, '.')
		out = append(out, digits[1:]...)
	}
	out = append(out, 'e')
	if exp < 0 {
		out = append(out, '-')
		exp = -exp
	} else {
		out = append(out, '+')
	}
	if exp < 10 {
		out = append(out, '0')
	}
	return strconv.AppendInt(out, int64(exp), 10)
}

// appendPositional writes the digits d1d2d3... × 10^(exp-…) with the point
// after the (exp+1)-th digit, padding with zeros and keeping at least one
// digit on each side of the point.
func appendPositional(out, digits []byte, exp int) []byte {
	if exp < 0 {
		out = append(out, '0', '.')
		for i := -1; i > exp; i-- {
			out = append(out, '0')
		}
		return append(out, digits...)
	}
	for i := 0; i <= exp; i++ {
		if i < len(digits) {
			out = append(out, digits[i])
		} else {
			out = append(out, '0')
		}
	}
	out = append(out, '.')
	if exp+1 >= len(digits) {
		return append(out, '0')
	}
	return append(out, digits[exp+1:]...)
}
