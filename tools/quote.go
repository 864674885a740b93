package tools

import (
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendQuote appends s to dst quoted the way zodbtools quotes transaction
// metadata (pygolang's strconv.quote, "qq"), and returns the extended slice.
//
// The quoted form is always between double quotes. Backslash and double
// quote are escaped with a backslash; printable ASCII (0x20..0x7e) is copied;
// tab, newline and carriage return become \t, \n and \r; other ASCII bytes
// become \xNN. A valid UTF-8 sequence is copied as is when its rune is a
// letter, number, punctuation or symbol (Unicode category L, N, P or S), and
// is written as \xNN bytes otherwise (spaces such as NBSP, format and
// control characters, combining marks); bytes that are not valid UTF-8 are
// written one by one as \xNN.
//
// Categories come from Go's Unicode tables; Python 3.11, which made the
// golden files, has Unicode 14: runes assigned only since then are copied by
// us and escaped by it.
func AppendQuote(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = appendQuotedASCII(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = appendHexByte(dst, c)
		case isVerbatim(r):
			dst = append(dst, s[i:i+size]...)
		default:
			for _, b := range s[i : i+size] {
				dst = appendHexByte(dst, b)
			}
		}
		i += size
	}
	return append(dst, '"')
}

// Quote returns s quoted as AppendQuote does it.
func Quote(s []byte) string {
	return string(AppendQuote(make([]byte, 0, len(s)+2), s))
}

func appendQuotedASCII(dst []byte, c byte) []byte {
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
	return appendHexByte(dst, c)
}

func appendHexByte(dst []byte, c byte) []byte {
	return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
}

// isVerbatim reports whether pygolang copies rune r unescaped: its Unicode
// category starts with L, N, P or S.
func isVerbatim(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
}
