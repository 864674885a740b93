package fs1tools

// appendBytesRepr appends Python 3's repr() of a bytes object: b'...',
// with double quotes when the bytes hold a single quote and no double one.
func appendBytesRepr(dst, b []byte) []byte {
	dst = append(dst, 'b')
	return appendQuoted(dst, b)
}

// appendStrRepr appends Python 3's repr() of a str of ASCII characters.
// FileStorage's tools print two kinds of str: the empty metadata Python
// keeps as "" instead of b"", and a transaction's status, one of " pcu".
func appendStrRepr(dst []byte, s string) []byte {
	return appendQuoted(dst, []byte(s))
}

func appendQuoted(dst, b []byte) []byte {
	quote := byte('\'')
	if bytesContain(b, '\'') && !bytesContain(b, '"') {
		quote = '"'
	}
	dst = append(dst, quote)
	const hex = "0123456789abcdef"
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < ' ' || c >= 0x7f:
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, quote)
}

func bytesContain(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// appendMetaRepr appends what Python's tools print for a metadata field
// they read only when its length is non-zero: for an empty one the repr of
// the empty str they keep instead, otherwise the bytes' repr.
func appendMetaRepr(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "''"...)
	}
	return appendBytesRepr(dst, b)
}
