package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"bytes"
	"math"
	"math/big"
	"strconv"
)

// This file reads numbers from text the way Python 3.11's int(b) and
// float(b) do for a bytes object b, with their error messages.

// isSpace is CPython's Py_ISSPACE: the C locale's white space.
func isSpace(c byte) bool { return c == ' ' || ('\t' <= c && c <= '\r') }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func trimSpace(s []byte) []byte {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parsePyInt is int(s) in base 10: optional white space and sign, digits
// with single underscores between them, more than maxStrDigits digits
// refused. The text ends at a NUL byte as in C, so one is an error.
func parsePyInt(s []byte) (value, error) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digits := make([]byte, 0, 20)
	var prev byte
	for ; i < len(s) && (isDigit(s[i]) || s[i] == '_'); i++ {
		if s[i] == '_' {
			if !isDigit(prev) { // leading or doubled underscore
				return value{}, invalidInt(s)
			}
		} else {
			digits = append(digits, s[i])
		}
		prev = s[i]
	}
	if prev == '_' {
		return value{}, invalidInt(s)
	}
	if len(digits) > maxStrDigits {
		return value{}, valueError("Exceeds the limit (%d digits) for integer string conversion: "+
			"value has %d digits; use sys.set_int_max_str_digits() to increase the limit",
			maxStrDigits, len(digits))
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if len(digits) == 0 || i != len(s) {
		return value{}, invalidInt(s)
	}
	if len(digits) <= 18 {
		n, _ := strconv.ParseInt(string(digits), 10, 64) // cannot fail: ≤ 18 digits
		if neg {
			n = -n
		}
		return value{kind: intValue, i: n}, nil
	}
	x, _ := new(big.Int).SetString(string(digits), 10) // cannot fail: digits only
	if neg {
		x.Neg(x)
	}
	return bigValue(x), nil
}

// invalidInt is int()'s error: it shows the repr of at most the first 200
// bytes of the text, itself cut to 200 characters.
func invalidInt(s []byte) error {
	if len(s) > 200 {
		s = s[:200]
	}
	r := pyquote.AppendBytesRepr(nil, s)
	if len(r) > 200 {
		r = r[:200]
	}
	return valueError("invalid literal for int() with base 10: %s", r)
}

// parsePyFloat is float(s): optional white space and sign, then inf,
// infinity or nan in any case, or a decimal number with single underscores
// between digits. Numbers too large become infinities, as in Python.
func parsePyFloat(s []byte) (float64, error) {
	fail := valueError("could not convert string to float: %s", pyquote.AppendBytesRepr(nil, s))
	text := s
	if nul := bytes.IndexByte(s, 0); nul >= 0 {
		text = s[:nul]
	}
	if bytes.IndexByte(text, '_') >= 0 {
		if len(text) != len(s) {
			return 0, fail
		}
		var ok bool
		if text, ok = removeUnderscores(text); !ok {
			return 0, fail
		}
	} else {
		text = s
	}
	text = trimSpace(text)
	if f, ok := pyFloatSpecial(text); ok {
		return f, nil
	}
	if !isPyFloatSyntax(text) {
		return 0, fail
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil && f == 0 { // a range error still gives ±Inf or 0
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, fail
		}
	}
	return f, nil
}

// removeUnderscores drops the underscores of s, which must each sit
// between two digits.
func removeUnderscores(s []byte) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	var prev byte
	for _, c := range s {
		if c == '_' {
			if !isDigit(prev) {
				return nil, false
			}
		} else {
			if prev == '_' && !isDigit(c) {
				return nil, false
			}
			out = append(out, c)
		}
		prev = c
	}
	return out, prev != '_'
}

// pyFloatSpecial reads [+-](inf|infinity|nan) in any case.
func pyFloatSpecial(s []byte) (float64, bool) {
	sign := 1
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch string(bytes.ToLower(s)) {
	case "inf", "infinity":
		return math.Inf(sign), true
	case "nan":
		return math.Copysign(math.NaN(), float64(sign)), true
	}
	return 0, false
}

// isPyFloatSyntax reports whether s is [+-]digits[.digits][(e|E)[+-]digits]
// with at least one mantissa digit.
func isPyFloatSyntax(s []byte) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	i, ndigit := 0, 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		ndigit++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			ndigit++
		}
	}
	if ndigit == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}
