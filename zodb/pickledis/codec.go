package pickledis

import "bytes"

// This file decodes text the way the Python codecs that pickletools'
// argument readers call do, with their error messages: UTF-8 with the
// "surrogatepass" handler, "raw-unicode-escape", codecs.escape_decode and
// ASCII.

func isContinuation(c byte) bool { return c&0xc0 == 0x80 }

// checkUTF8SP validates b as str(b, 'utf-8', 'surrogatepass') does: UTF-8
// where encoded surrogates (ED A0 80 … ED BF BF) are accepted.
func checkUTF8SP(b []byte) error {
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		n, bad := utf8SeqLen(b[i:])
		if bad == "" {
			i += n
			continue
		}
		if isEncodedSurrogate(b[i:]) {
			i += 3
			continue
		}
		end := i + n
		if bad == "unexpected end of data" {
			end = len(b)
		}
		return decodeError("utf-8", b, i, end, bad)
	}
	return nil
}

// utf8SeqLen looks at the multi-byte sequence that starts b. It returns the
// sequence's length, or the reason CPython's strict UTF-8 decoder gives for
// rejecting it together with how many bytes its error covers (CPython
// reports the start byte plus the continuation bytes that were valid).
func utf8SeqLen(b []byte) (n int, bad string) {
	c := b[0]
	var need int
	var lo, hi byte = 0x80, 0xbf // allowed range of the second byte
	switch {
	case c < 0xc2:
		return 1, "invalid start byte"
	case c < 0xe0:
		need = 2
	case c < 0xf0:
		need = 3
		if c == 0xe0 {
			lo = 0xa0
		} else if c == 0xed {
			hi = 0x9f
		}
	case c < 0xf5:
		need = 4
		if c == 0xf0 {
			lo = 0x90
		} else if c == 0xf4 {
			hi = 0x8f
		}
	default:
		return 1, "invalid start byte"
	}
	for k := 1; k < need; k++ {
		if k >= len(b) {
			return len(b), "unexpected end of data"
		}
		if !isContinuation(b[k]) || (k == 1 && (b[1] < lo || b[1] > hi)) {
			return k, "invalid continuation byte"
		}
	}
	return need, ""
}

// isEncodedSurrogate reports whether b starts with the three-byte encoding
// of a surrogate, which the "surrogatepass" handler decodes.
func isEncodedSurrogate(b []byte) bool {
	return len(b) >= 3 && b[0] == 0xed && b[1] >= 0xa0 && isContinuation(b[1]) && isContinuation(b[2])
}

// decodeRuneSP decodes the first character of text checked by checkUTF8SP.
func decodeRuneSP(b []byte) (rune, int) {
	c := b[0]
	switch {
	case c < 0x80:
		return rune(c), 1
	case c < 0xe0:
		return rune(c&0x1f)<<6 | rune(b[1]&0x3f), 2
	case c < 0xf0:
		return rune(c&0x0f)<<12 | rune(b[1]&0x3f)<<6 | rune(b[2]&0x3f), 3
	default:
		return rune(c&0x07)<<18 | rune(b[1]&0x3f)<<12 | rune(b[2]&0x3f)<<6 | rune(b[3]&0x3f), 4
	}
}

// decodeRawUnicodeEscape is str(b, 'raw-unicode-escape'): bytes are code
// points, except that \uXXXX and \UXXXXXXXX after an odd number of
// backslashes stand for the character they name.
func decodeRawUnicodeEscape(b []byte) ([]rune, error) {
	out := make([]rune, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '\\' {
			out = append(out, rune(b[i]))
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] == '\\' {
			out = append(out, '\\')
			j++
		}
		if (j-i)%2 == 0 || j >= len(b) || (b[j] != 'u' && b[j] != 'U') {
			i = j
			continue
		}
		out = out[:len(out)-1] // the last backslash starts the escape
		r, next, err := rawUnicodeEscapeChar(b, j-1)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		i = next
	}
	return out, nil
}

// rawUnicodeEscapeChar decodes the \u or \U escape at b[start:].
func rawUnicodeEscapeChar(b []byte, start int) (rune, int, error) {
	count, reason := 4, `truncated \uXXXX escape`
	if b[start+1] == 'U' {
		count, reason = 8, `truncated \UXXXXXXXX escape`
	}
	var ch uint32
	s := start + 2
	for ; count > 0; count-- {
		if s >= len(b) {
			return 0, 0, decodeError("rawunicodeescape", b, start, s, reason)
		}
		d := hexValue(b[s])
		if d < 0 {
			return 0, 0, decodeError("rawunicodeescape", b, start, s, reason)
		}
		ch = ch<<4 | uint32(d)
		s++
	}
	if ch > 0x10ffff {
		return 0, 0, decodeError("rawunicodeescape", b, start, s, `\Uxxxxxxxx out of range`)
	}
	return rune(ch), s, nil
}

func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// escapeDecode is codecs.escape_decode(b)[0]: Python 2 string-literal
// escapes (\\ \' \" \a \b \f \n \r \t \v, octal and \xHH) are undone,
// unknown escapes are kept as they are, octal values wrap at 8 bits.
func escapeDecode(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, '\\') < 0 {
		return b, nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '\\' {
			out = append(out, b[i])
			i++
			continue
		}
		if i+1 >= len(b) {
			return nil, valueError(`Trailing \ in string`)
		}
		c, n := escapeChar(b[i+1:])
		switch {
		case n < 0:
			return nil, valueError(`invalid \x escape at position %d`, i)
		case n == 0: // unknown escape: the backslash stays
			out = append(out, '\\')
			i++
			continue
		case c >= 0:
			out = append(out, byte(c))
		}
		i += 1 + n
	}
	return out, nil
}

// escapeChar decodes the escape whose text (after the backslash) starts e:
// the byte it stands for (-1 for none: an escaped newline) and its length;
// n == 0 for an unknown escape and n < 0 for a malformed \x.
func escapeChar(e []byte) (c, n int) {
	switch e[0] {
	case '\n':
		return -1, 1
	case '\\', '\'', '"':
		return int(e[0]), 1
	case 'a':
		return 7, 1
	case 'b':
		return 8, 1
	case 'f':
		return 12, 1
	case 't':
		return '\t', 1
	case 'n':
		return '\n', 1
	case 'r':
		return '\r', 1
	case 'v':
		return 11, 1
	case 'x':
		if len(e) < 3 || hexValue(e[1]) < 0 || hexValue(e[2]) < 0 {
			return 0, -1
		}
		return hexValue(e[1])<<4 | hexValue(e[2]), 3
	}
	if '0' <= e[0] && e[0] <= '7' {
		v, n := 0, 0
		for n < 3 && n < len(e) && '0' <= e[n] && e[n] <= '7' {
			v = v<<3 | int(e[n]-'0')
			n++
		}
		return v & 0xff, n
	}
	return 0, 0
}

// checkASCII is bytes.decode('ascii') for its error.
func checkASCII(b []byte) error {
	for i, c := range b {
		if c >= 0x80 {
			return decodeError("ascii", b, i, i+1, "ordinal not in range(128)")
		}
	}
	return nil
}
