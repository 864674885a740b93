package fs1tools

import "github.com/zodbneo/zodbneo/internal/pyquote"

// appendStrRepr appends Python 3's repr() of a str of ASCII characters.
// FileStorage's tools print two kinds of str: the empty metadata Python
// keeps as "" instead of b"", and a transaction's status, one of " pcu".
func appendStrRepr(dst []byte, s string) []byte {
	return pyquote.AppendASCIIRepr(dst, []byte(s))
}

// appendMetaRepr appends what Python's tools print for a metadata field
// they read only when its length is non-zero: for an empty one the repr of
// the empty str they keep instead, otherwise the bytes' repr.
func appendMetaRepr(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "''"...)
	}
	return pyquote.AppendBytesRepr(dst, b)
}
