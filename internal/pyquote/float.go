package pyquote

import (
	"math"
	"strconv"
)

// AppendFloatRepr appends Python 3's repr() of a float: the shortest digits
// that read back as f, in positional notation for decimal exponents
// -4 ≤ e < 16 and in scientific notation (a sign and at least two exponent
// digits) otherwise. dot0 adds ".0" to an integral value in positional
// notation, as float's repr does and complex's repr of its parts does not.
func AppendFloatRepr(out []byte, f float64, dot0 bool) []byte {
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
	if e[0] == '-' {
		e = e[1:]
		out = append(out, '-')
	}
	epos := len(e) - 1
	for e[epos] != 'e' {
		epos--
	}
	exp, _ := strconv.Atoi(string(e[epos+1:]))
	var dbuf [24]byte
	digits := append(dbuf[:0], e[0])
	if epos > 1 {
		digits = append(digits, e[2:epos]...)
	}
	if exp < -4 || exp >= 16 {
		return appendScientific(out, digits, exp)
	}
	return appendPositional(out, digits, exp, dot0)
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

// appendPositional writes the digits d1d2d3... with the point after the
// (exp+1)-th digit, padding with zeros; an integral value gets ".0" only
// with dot0.
func appendPositional(out, digits []byte, exp int, dot0 bool) []byte {
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
	if exp+1 >= len(digits) {
		if dot0 {
			out = append(out, '.', '0')
		}
		return out
	}
	out = append(out, '.')
	return append(out, digits[exp+1:]...)
}
