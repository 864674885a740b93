package pickledis

import "bytes"

// NormalizePy2 rewrites a zpickledis golden written by zodbtools under
// Python 2 into what Python 3 prints for the same pickles, as zodbtools'
// own test (zodbtools/test/test_dump.py) does before comparing: Python 2
// shows a UNICODE argument as u'...' and a BYTES one as '...', Python 3 as
// '...' and b'...'. Only the lines of opcodes whose name ends in UNICODE
// or BYTES are concerned; the match is textual, as in zodbtools.
func NormalizePy2(golden []byte) []byte {
	out := golden
	for _, r := range [...]struct{ old, new string }{
		{"UNICODE u'", "UNICODE '"},
		{`UNICODE u"`, `UNICODE "`},
		{"BYTES '", "BYTES b'"},
		{`BYTES "`, `BYTES b"`},
	} {
		out = bytes.ReplaceAll(out, []byte(r.old), []byte(r.new))
	}
	return out
}
