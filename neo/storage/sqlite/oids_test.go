package sqlite

import (
	"bytes"
	"errors"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

func FuzzDecodeOids(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		oids, err := DecodeOids(b)
		if err != nil {
			if len(b)%8 == 0 || !errors.Is(err, zodb.ErrCorrupt) {
				t.Fatalf("%x: %v", b, err)
			}
			return
		}
		if !bytes.Equal(EncodeOids(oids), b) {
			t.Fatalf("%x: round trip %x", b, EncodeOids(oids))
		}
	})
}

// FuzzParsePath: NEO/py's -d forms never panic, and what goes into SQL
// text is words and numbers only.
func FuzzParsePath(f *testing.F) {
	f.Add("/tmp/neo.sqlite")
	f.Add("file:/tmp/neo.sqlite?synchronous=OFF&journal_mode=MEMORY&cache_size=-1000")
	f.Add("file:neo.sqlite?cksumvfs=0")
	f.Add("~/neo.sqlite")
	f.Fuzz(func(t *testing.T, path string) {
		_, pragmas, err := parsePath(path)
		if err != nil {
			return
		}
		for k, v := range pragmas {
			if !validPragmaValue(v) {
				t.Fatalf("%q: pragma %s=%q", path, k, v)
			}
		}
	})
}
