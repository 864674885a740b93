package pyquote

import "bytes"

// ReprQuote is Python's choice of quote for a str or bytes repr: a single
// quote unless the text holds single quotes and no double quote.
func ReprQuote(hasSingle, hasDouble bool) byte {
	if hasSingle && !hasDouble {
		return '"'
	}
	return '\''
}

// AppendBytesRepr appends Python 3's repr() of a bytes object, b'...', and
// returns the extended slice.
func AppendBytesRepr(dst, b []byte) []byte {
	return AppendASCIIRepr(append(dst, 'b'), b)
}

// AppendASCIIRepr appends Python 3's repr() of a str whose characters are
// the bytes of b, when b is ASCII; for other bytes it writes \xNN escapes,
// as a bytes repr does (AppendBytesRepr is this with a b prefix).
func AppendASCIIRepr(dst, b []byte) []byte {
	q := ReprQuote(bytes.IndexByte(b, '\'') >= 0, bytes.IndexByte(b, '"') >= 0)
	dst = append(dst, q)
	for _, c := range b {
		switch {
		case c == q || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20 || c >= 0x7f:
			dst = AppendHexByte(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, q)
}
