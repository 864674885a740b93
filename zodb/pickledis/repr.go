package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"math/big"
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
