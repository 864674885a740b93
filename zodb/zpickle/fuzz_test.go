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
// reads every reference, Refs returns the strong ones among them.
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
			return
		}
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
	})
}
