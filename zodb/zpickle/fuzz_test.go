package zpickle

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// seedRecords adds every record of testdata and the hand-made pickles of
// the tests to a fuzz corpus.
func seedRecords(f *testing.F) {
	for _, d := range allRecordData(f) {
		f.Add(d)
	}
	for _, d := range allForms {
		f.Add([]byte(d))
	}
	f.Add(record("(imod\nOld\n(dS'a'\nI1\nsb."))
	f.Add(record("\x80\x04\x95\x16\x00\x00\x00\x00\x00\x00\x00]\x94(\x8f\x94(K\x01K\x02\x90(\x8c\x01a\x94\x91\x94\x8f\x94e."))
	f.Add(record("\x80\x02czc\nPt\nq\x00)\x81q\x01}q\x02(X\x01\x00\x00\x00xq\x03K\x01X\x01\x00\x00\x00yq\x04]q\x05K\x02aX\x02\x00\x00\x00meq\x06h\x01ub."))
}

// checkErr fails unless err is a corruption error of this package.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "zpickle: ") {
		t.Fatalf("error %q is not a zpickle corrupt error", err)
	}
}

func FuzzDecode(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		class, state, err := Decode(data)
		if err != nil {
			checkErr(t, err)
			return
		}
		Repr(class)
		Repr(state)
	})
}

func FuzzClassOf(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := ClassOf(data); err != nil {
			checkErr(t, err)
		}
	})
}

// FuzzReferences checks that References and Refs agree: where References
// reads every reference, Refs returns the strong ones among them. And
// that where the scanner answers, og-rek finds the same references.
func FuzzReferences(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		oids, err := Refs(data)
		if err != nil {
			checkErr(t, err)
		}
		refs, err2 := References(data)
		if err2 != nil {
			checkErr(t, err2)
		} else {
			if err != nil {
				t.Fatalf("References reads what Refs cannot: %v", err)
			}
			var strong []zodb.Oid
			for _, r := range refs {
				if !r.Weak && r.Database == "" {
					strong = append(strong, r.Oid)
				}
			}
			if !slices.Equal(strong, oids) {
				t.Fatalf("References %v, Refs %v", refs, oids)
			}
		}
		checkScan(t, data)
	})
}

// checkScan compares what the scanner answers with what og-rek finds.
func checkScan(t *testing.T, data []byte) (scanned bool) {
	t.Helper()
	s := scanners.Get().(*scanner)
	defer s.release()
	if s.scan(data) != nil {
		return false
	}
	fastOids, ok1 := s.strongOids()
	fastRefs, ok2 := s.references()
	slowOids, err1 := refsSlow(data)
	slowRefs, err2 := referencesSlow(data)
	if err1 != nil && strings.Contains(err1.Error(), "nest deeper") {
		return true // the scanner does not need og-rek's bound
	}
	switch {
	case ok1 && err1 != nil:
		t.Fatalf("the scanner finds %v, og-rek fails: %v", fastOids, err1)
	case ok1 && !slices.Equal(fastOids, slowOids):
		t.Fatalf("the scanner finds %v, og-rek %v", fastOids, slowOids)
	case ok2 && err2 != nil:
		t.Fatalf("the scanner finds %v, og-rek fails: %v", fastRefs, err2)
	case ok2 && !slices.Equal(fastRefs, slowRefs):
		t.Fatalf("the scanner finds %v, og-rek %v", fastRefs, slowRefs)
	}
	return ok1 && ok2
}

// scanAlphabet is the opcodes FuzzScanOps builds pickles of: those that
// move values between the stack, the memo, containers and persistent ids.
var scanAlphabet = []string{
	"(", "]", ")", "}", "a", "e", "s", "u", "\x85", "\x86", "\x87", "t", "l", "d",
	"q\x00", "q\x01", "q\x02", "h\x00", "h\x01", "h\x02", "\x94", "2", "0", "1", "Q",
	"C\x08\x00\x00\x00\x00\x00\x00\x00\x01", "U\x08\x00\x00\x00\x00\x00\x00\x00\x02",
	"X\x08\x00\x00\x00\x00\x00\x00\x00\x03", "\x8c\x01w", "\x8c\x01m", "\x8c\x01n", "X\x02\x00\x00\x00db",
	"cmod\nC\n", "c_codecs\nencode\n", "X\x06\x00\x00\x00latin1", "R", "N", "K\x01", "b", "\x81",
	"\x8f", "\x90", "\x91", "\x93", "ccopy_reg\n_reconstructor\n", ".",
}

// FuzzScanOps builds pickles from scanAlphabet, one opcode per input byte,
// and checks that the scanner and og-rek find the same references.
func FuzzScanOps(f *testing.F) {
	f.Add([]byte{25, 24, 45, 1, 26, 24, 45})
	f.Add([]byte{1, 0, 28, 25, 8, 5, 24, 45, 45})
	f.Add([]byte{33, 14, 32, 25, 34, 10, 35, 24, 45, 45})
	f.Fuzz(func(t *testing.T, prog []byte) {
		var b strings.Builder
		for _, c := range prog {
			b.WriteString(scanAlphabet[int(c)%len(scanAlphabet)])
		}
		b.WriteString("..")
		data := []byte(b.String())
		checkScan(t, data)
		Refs(data)
		References(data)
	})
}
