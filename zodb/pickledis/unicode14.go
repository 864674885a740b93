package pickledis

import "unicode"

// Python 3.11 classifies characters by Unicode 14.0.0 (unicodedata.
// unidata_version), Go by the version in unicode.Version. A character that
// Go knows but Python 3.11 does not is, to Python, unassigned (category Cn):
// str.__repr__ escapes it and pygolang's quote writes it as \xNN bytes. The
// Unicode 14 and 15 categories of every other character agree.
//
// pythonUnicodeNewer lists the characters assigned after Unicode 14.0.0 in
// the Unicode version of pythonUnicodeGoVersion. It was computed by comparing
// unicodedata.category under Python 3.11.7 with Go's tables for every code
// point; TestUnicodeVersion fails when the Go toolchain changes its Unicode
// version, so that the list is recomputed.
const pythonUnicodeGoVersion = "15.0.0"

var pythonUnicodeNewer = &unicode.RangeTable{
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

// isPrintable is Python 3.11's str.isprintable for one character: letters,
// marks, numbers, punctuation, symbols and the ASCII space.
func isPrintable(r rune) bool {
	if r < 0x80 {
		return 0x20 <= r && r < 0x7f
	}
	return unicode.IsPrint(r) && !unicode.Is(pythonUnicodeNewer, r)
}

// isGraphicLNPS reports whether pygolang's quote copies r verbatim: its
// Unicode 14 category is a letter, number, punctuation or symbol (marks and
// spaces are escaped, unlike in isPrintable).
func isGraphicLNPS(r rune) bool {
	if !unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) {
		return false
	}
	return !unicode.Is(pythonUnicodeNewer, r)
}
