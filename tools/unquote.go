package tools

import (
	"errors"
	"fmt"
)

// Unquote decodes a string quoted as AppendQuote writes it, and accepts
// what pygolang's strconv.unquote accepts (zodbtools reads dump metadata
// with it): between double quotes, any byte but an unescaped double quote
// or backslash stands for itself; the escapes are \\ \" \t \n \r, \a \b \v
// \f (which Go's quoting may write) and \xNN with two hex digits of either
// case. Nothing may follow the closing quote. Errors say what is wrong, not
// where: the caller knows the line.
func Unquote(s []byte) ([]byte, error) {
	return appendUnquote(nil, s)
}

// appendUnquote appends Unquote(s) to dst.
func appendUnquote(dst, s []byte) ([]byte, error) {
	if len(s) == 0 || s[0] != '"' {
		return dst, errors.New(`no starting "`)
	}
	for i := 1; i < len(s); {
		c := s[i]
		switch c {
		case '"':
			if i != len(s)-1 {
				return dst, errors.New(`non-empty tail after closing "`)
			}
			return dst, nil
		case '\\':
			b, n, err := unescape(s[i:])
			if err != nil {
				return dst, err
			}
			dst = append(dst, b)
			i += n
		default:
			// bytes of a UTF-8 sequence — or not — are copied one by
			// one: pygolang copies an invalid byte as is too
			dst = append(dst, c)
			i++
		}
	}
	return dst, errors.New(`no closing "`)
}

// unescape decodes the escape at the start of s (s[0] is the backslash)
// and returns the byte and the escape's length.
func unescape(s []byte) (byte, int, error) {
	if len(s) < 2 {
		return 0, 0, errors.New(`unexpected end after \`)
	}
	switch c := s[1]; c {
	case '\\', '"':
		return c, 2, nil
	case 't':
		return '\t', 2, nil
	case 'n':
		return '\n', 2, nil
	case 'r':
		return '\r', 2, nil
	case 'a':
		return '\a', 2, nil
	case 'b':
		return '\b', 2, nil
	case 'v':
		return '\v', 2, nil
	case 'f':
		return '\f', 2, nil
	case 'x':
		if len(s) < 4 {
			return 0, 0, errors.New(`unexpected end after \x`)
		}
		hi, ok1 := unhex(s[2])
		lo, ok2 := unhex(s[3])
		if !ok1 || !ok2 {
			return 0, 0, fmt.Errorf("invalid escape %q", s[:4])
		}
		return hi<<4 | lo, 4, nil
	default:
		return 0, 0, fmt.Errorf("invalid escape %q", s[:2])
	}
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
