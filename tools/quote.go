package tools

import "github.com/zodbneo/zodbneo/internal/pyquote"

// AppendQuote appends s to dst quoted the way zodbtools quotes transaction
// metadata (pygolang's strconv.quote, "qq"), and returns the extended slice.
//
// The quoted form is always between double quotes. Backslash and double
// quote are escaped with a backslash; printable ASCII (0x20..0x7e) is copied;
// tab, newline and carriage return become \t, \n and \r; other ASCII bytes
// become \xNN. A valid UTF-8 sequence is copied as is when its rune is a
// letter, number, punctuation or symbol in Unicode 14 (Python 3.11's), and
// is written as \xNN bytes otherwise; bytes that are not valid UTF-8 are
// written one by one as \xNN.
func AppendQuote(dst, s []byte) []byte { return pyquote.AppendQQ(dst, s) }

// Quote returns s quoted as AppendQuote does it.
func Quote(s []byte) string {
	return string(AppendQuote(make([]byte, 0, len(s)+2), s))
}
