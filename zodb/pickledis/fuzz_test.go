package pickledis

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"unicode/utf8"
)

// goldenPickles returns every object record of the raw golden dumps and,
// if asked, every non-empty extension.
func goldenPickles(tb testing.TB, withExt bool) [][]byte {
	var pv [][]byte
	for _, g := range goldens(tb) {
		raw, err := os.ReadFile(g.raw)
		if err != nil {
			tb.Fatal(err)
		}
		items, err := parseRawDump(raw)
		if err != nil {
			tb.Fatal(err)
		}
		for _, it := range items {
			if it.hasData {
				pv = append(pv, it.data)
			} else if withExt && it.isExt && len(it.ext) > 0 {
				pv = append(pv, it.ext)
			}
		}
	}
	return pv
}

// FuzzDis checks that any input gives an output or an *Error, never a
// panic or a hang, and that a success reports a pickle ending in STOP.
func FuzzDis(f *testing.F) {
	for _, p := range goldenPickles(f, true) {
		f.Add(p)
	}
	for _, c := range disCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		n, err := Dis(&out, data, Options{Annotate: 1})
		if n < 0 || n > len(data) {
			t.Fatalf("n = %d for %d bytes", n, len(data))
		}
		var perr *Error
		switch {
		case err == nil && data[n-1] != '.':
			t.Fatalf("success, but byte %d is %q, not STOP", n-1, data[n-1])
		case err != nil && !errors.As(err, &perr) && !errors.Is(err, ErrTooLong):
			t.Fatalf("error %v is not an *Error", err)
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatalf("output is not UTF-8: %q", out.Bytes())
		}
		if err := DumpObject(io.Discard, data); err != nil && !errors.As(err, &perr) && !errors.Is(err, ErrTooLong) {
			t.Fatalf("DumpObject: error %v is not an *Error", err)
		}
	})
}
