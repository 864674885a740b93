package objgraph

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/internal/pyquote"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// How keys become file names; doc.go states the rules for a reader.

const (
	// nameMax is NAME_MAX of Linux and of most filesystems: the kernel
	// refuses a longer name before the FUSE layer sees it.
	nameMax = 255
	// nameCut is how much of an over-long name is kept before its hash:
	// with the hash marker and a displacement suffix the name stays
	// under nameMax.
	nameCut = 200
	// hashMark starts the hash that ends a shortened name, dupMark the
	// number that tells apart keys of one natural name. Neither can occur
	// in an escaped name, where '%' is always followed by two hex digits.
	hashMark = "%#"
	dupMark  = "%="
)

// isStrKey reports whether a key is text: a Python 3 str, or a Python 2
// str of ASCII only, which equals the unicode of the same characters.
// Text keys keep their text as name; other keys are displaced when their
// repr is some text key's name.
func isStrKey(k any) bool {
	switch s := k.(type) {
	case string:
		return true
	case ogórek.ByteString:
		return isASCII(string(s))
	}
	return false
}

// naturalName is a key's name before escaping: the text of a text key,
// the Python repr of any other (ints in decimal); a tuple, a call or an
// instance by oneLine, cut after nameReprMax bytes.
func naturalName(k any, bud *budget) string {
	switch x := k.(type) {
	case string:
		return x
	case ogórek.ByteString:
		if isASCII(string(x)) {
			return string(x)
		}
	case int64:
		return strconv.FormatInt(x, 10)
	case *big.Int:
		return x.String()
	case float64:
		return string(pyquote.AppendFloatRepr(nil, x, true))
	}
	if rendered(k) {
		return oneLine(k, nameReprMax, bud)
	}
	return zpickle.Repr(k)
}

// escape makes a natural name a valid file name, one to one: '%', '/' and
// NUL become %25, %2F and %00; the empty name is "%", "." and ".." are
// %2E and %2E%2E; a name longer than nameMax bytes is cut to nameCut bytes
// followed by hashMark and the first 16 hex digits of the SHA-256 of the
// whole escaped name.
func escape(natural string) string {
	switch natural {
	case "":
		return "%"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	s := natural
	if strings.ContainsAny(natural, "%/\x00") {
		var b strings.Builder
		b.Grow(len(natural) + 8)
		for i := 0; i < len(natural); i++ {
			switch c := natural[i]; c {
			case '%', '/', 0:
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
			default:
				b.WriteByte(c)
			}
		}
		s = b.String()
	}
	if len(s) > nameMax {
		s = shorten(s)
	}
	return s
}

// shorten cuts an escaped name to about nameCut bytes, neither inside a
// %XX escape nor, for valid UTF-8, inside a character, and adds the hash of
// the whole name.
func shorten(s string) string {
	n := nameCut
	if i := strings.LastIndexByte(s[n-2:n], '%'); i >= 0 {
		n = n - 2 + i
	}
	for k := 0; k < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); k++ {
		n--
	}
	sum := sha256.Sum256([]byte(s))
	return s[:n] + hashMark + hex.EncodeToString(sum[:8])
}

// unescape returns the natural name an escaped name stands for. It fails
// for a shortened name, whose cut text is lost, and for any name escape
// does not write (such as "%2f", or "a%" ), so that each natural name has
// exactly one file name.
func unescape(name string) (string, bool) {
	if name == "%" {
		return "", true
	}
	if !strings.Contains(name, "%") {
		return name, escape(name) == name
	}
	if strings.Contains(name, hashMark) {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] != '%' {
			b.WriteByte(name[i])
			continue
		}
		if i+2 >= len(name) {
			return "", false
		}
		v, err := strconv.ParseUint(name[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	natural := b.String()
	return natural, escape(natural) == name
}

// withDup is the name of the n-th key (n ≥ 1) after the first of one
// escaped natural name.
func withDup(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + dupMark + strconv.Itoa(n)
}

// splitDup undoes withDup: the base name and n, 0 for a name without a
// displacement suffix. ok is false for a suffix withDup does not write.
func splitDup(name string) (base string, n int, ok bool) {
	i := strings.LastIndex(name, dupMark)
	if i < 0 {
		return name, 0, true
	}
	digits := name[i+len(dupMark):]
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || strconv.Itoa(n) != digits {
		return "", 0, false
	}
	return name[:i], n, true
}

// nameKeys names the keys of a container held whole in memory, in their
// listing order. Text keys come first in taking names, so that they keep
// theirs; a later key whose escaped natural name is taken gets
// withDup(name, number of keys that had the name before it).
func nameKeys(keys []any, bud *budget) []string {
	names := make([]string, len(keys))
	taken := make(map[string]int, len(keys))
	for pass := 0; pass < 2; pass++ {
		for i, k := range keys {
			if isStrKey(k) != (pass == 0) {
				continue
			}
			base := escape(naturalName(k, bud))
			names[i] = withDup(base, taken[base])
			taken[base]++
		}
	}
	return names
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
