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
