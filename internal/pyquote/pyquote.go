// Package pyquote writes text the way Python 3.11 and pygolang do, so that
// zodbneo's outputs match the Python tools' byte for byte: pygolang's
// strconv.quote (zodbtools' "qq", used by zodbdump for metadata) and the
// printable test of Python's str.__repr__. Both depend on Unicode
// categories, which Python 3.11 takes from Unicode 14 and Go from its own
// (newer) tables; this package reconciles the two.
package pyquote

import (
	"unicode"
	"unicode/utf8"
)

// Python 3.11 classifies characters by Unicode 14.0.0 (unicodedata.
// unidata_version), Go by the version in unicode.Version. A character that
// Go knows but Python 3.11 does not is, to Python, unassigned (category Cn):
// str.__repr__ escapes it and pygolang's quote writes it as \xNN bytes. The
// Unicode 14 and 15 categories of every other character agree.
//
// newerThan14 lists the characters assigned after Unicode 14.0.0 in
// the Unicode version of goUnicodeVersion. It was computed by comparing
// unicodedata.category under Python 3.11.7 with Go's tables for every code
// point; TestUnicodeVersion fails when the Go toolchain changes its Unicode
// version, so that the list is recomputed.
const goUnicodeVersion = "15.0.0"

var newerThan14 = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x0cf3, Hi: 0x0cf3, Stride: 1},
		{Lo: 0x0ece, Hi: 0x0ece, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x10efd, Hi: 0x10eff, Stride: 1},
		{Lo: 0x1123f, Hi: 0x11241, Stride: 1},
		{Lo: 0x11b00, Hi: 0x11b09, Stride: 1},
		{Lo: 0x11f00, Hi: 0x11f10, Stride: 1},
		{Lo: 0x11f12, Hi: 0x11f3a, Stride: 1},
		{Lo: 0x11f3e, Hi: 0x11f59, Stride: 1},
		{Lo: 0x1342f, Hi: 0x1342f, Stride: 1},
		{Lo: 0x13440, Hi: 0x13455, Stride: 1},
		{Lo: 0x1b132, Hi: 0x1b132, Stride: 1},
		{Lo: 0x1b155, Hi: 0x1b155, Stride: 1},
		{Lo: 0x1d2c0, Hi: 0x1d2d3, Stride: 1},
		{Lo: 0x1df25, Hi: 0x1df2a, Stride: 1},
		{Lo: 0x1e030, Hi: 0x1e06d, Stride: 1},
		{Lo: 0x1e08f, Hi: 0x1e08f, Stride: 1},
		{Lo: 0x1e4d0, Hi: 0x1e4f9, Stride: 1},
		{Lo: 0x1f6dc, Hi: 0x1f6dc, Stride: 1},
		{Lo: 0x1f774, Hi: 0x1f776, Stride: 1},
		{Lo: 0x1f77b, Hi: 0x1f77f, Stride: 1},
		{Lo: 0x1f7d9, Hi: 0x1f7d9, Stride: 1},
		{Lo: 0x1fa75, Hi: 0x1fa77, Stride: 1},
		{Lo: 0x1fa87, Hi: 0x1fa88, Stride: 1},
		{Lo: 0x1faad, Hi: 0x1faaf, Stride: 1},
		{Lo: 0x1fabb, Hi: 0x1fabd, Stride: 1},
		{Lo: 0x1fabf, Hi: 0x1fabf, Stride: 1},
		{Lo: 0x1face, Hi: 0x1facf, Stride: 1},
		{Lo: 0x1fada, Hi: 0x1fadb, Stride: 1},
		{Lo: 0x1fae8, Hi: 0x1fae8, Stride: 1},
		{Lo: 0x1faf7, Hi: 0x1faf8, Stride: 1},
		{Lo: 0x2b739, Hi: 0x2b739, Stride: 1},
		{Lo: 0x31350, Hi: 0x323af, Stride: 1},
	},
}

// IsPrintable is Python 3.11's str.isprintable for one character: letters,
// marks, numbers, punctuation, symbols and the ASCII space.
func IsPrintable(r rune) bool {
	if r < 0x80 {
		return 0x20 <= r && r < 0x7f
	}
	return unicode.IsPrint(r) && !unicode.Is(newerThan14, r)
}

// isQQVerbatim reports whether pygolang's quote copies r as is: its Unicode
// 14 category is a letter, number, punctuation or symbol (marks and spaces
// are escaped, unlike in IsPrintable).
func isQQVerbatim(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) &&
		!unicode.Is(newerThan14, r)
}

const hexDigits = "0123456789abcdef"

// AppendQQ appends s quoted as pygolang's strconv.quote does it (zodbtools'
// qq) and returns the extended slice: always between double quotes;
// backslash and double quote escaped; printable ASCII (0x20..0x7e) copied;
// tab, newline and carriage return as \t, \n and \r; other ASCII bytes as
// \xNN; a valid UTF-8 sequence copied when its rune's category is L, N, P
// or S, written as \xNN bytes otherwise (NBSP, format characters, combining
// marks); bytes that are not valid UTF-8 one by one as \xNN.
func AppendQQ(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = appendQQASCII(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 || !isQQVerbatim(r) {
			for _, b := range s[i : i+size] {
				dst = AppendHexByte(dst, b)
			}
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

func appendQQASCII(dst []byte, c byte) []byte {
	switch {
	case c == '\\' || c == '"':
		return append(dst, '\\', c)
	case 0x20 <= c && c <= 0x7e:
		return append(dst, c)
	case c == '\t':
		return append(dst, '\\', 't')
	case c == '\n':
		return append(dst, '\\', 'n')
	case c == '\r':
		return append(dst, '\\', 'r')
	}
	return AppendHexByte(dst, c)
}

// AppendHexByte appends c as \xNN with lower-case digits.
func AppendHexByte(dst []byte, c byte) []byte {
	return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
}
