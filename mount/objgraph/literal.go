package objgraph

import (
	"math/big"
	"strconv"
	"strings"

	ogórek "github.com/kisielk/og-rek"
)

// Reading back the natural names of the keys a BTree lookup can go down
// the tree for: ints, floats, None, bools and bytes. Each parser accepts
// only the text naturalName writes for the value it returns, so that a
// name stands for one key.

// parseInt reads a decimal int: an int64, or a *big.Int beyond int64.
func parseInt(s string) (any, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, strconv.FormatInt(i, 10) == s
	}
	if len(s) > 4300 { // Python's default limit on int digits
		return nil, false
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, false
	}
	return b, b.String() == s
}

// parseLiteral reads the natural name of an int, a float, None, a bool or
// bytes.
func parseLiteral(s string) (any, bool) {
	switch s {
	case "None":
		return ogórek.None{}, true
	case "True":
		return true, true
	case "False":
		return false, true
	}
	if strings.HasPrefix(s, "b'") || strings.HasPrefix(s, `b"`) {
		return parseBytes(s)
	}
	if v, ok := parseInt(s); ok {
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && naturalName(f, nil) == s {
		return f, true
	}
	return nil, false
}

// parseBytes reads Python's repr of bytes, b'...' or b"...", with the
// escapes that repr writes.
func parseBytes(s string) (any, bool) {
	if len(s) < 3 || s[len(s)-1] != s[1] {
		return nil, false
	}
	body := s[2 : len(s)-1]
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(body) {
			return nil, false
		}
		i++
		switch body[i] {
		case '\\', '\'', '"':
			out = append(out, body[i])
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x':
			if i+3 > len(body) {
				return nil, false
			}
			v, err := strconv.ParseUint(body[i+1:i+3], 16, 8)
			if err != nil {
				return nil, false
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, false
		}
	}
	v := ogórek.Bytes(out)
	return v, naturalName(v, nil) == s
}

// scanWorthy reports whether a natural name may be that of a key
// parseLiteral does not read — a tuple, a frozenset, a complex, an object
// or a persistent object — so that a lookup that found no text key of
// that name has to go through the tree's keys.
func scanWorthy(s string) bool {
	return strings.HasPrefix(s, "<") || strings.Contains(s, "(") || strings.HasSuffix(s, "j") || s == "nan"
}
