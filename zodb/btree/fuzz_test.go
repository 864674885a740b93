package btree

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// FuzzDecode feeds the decoded state of records, the BTrees records of
// testdata to start with, to every decoder of this package: none may
// panic, and every error is a corruption error of this package.
func FuzzDecode(f *testing.F) {
	dumps, _ := filepath.Glob(filepath.Join(testdata, "fs1/*/*.zdump.raw"))
	for _, path := range dumps {
		for _, r := range loadRecords(f, path) {
			f.Add(r.data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, state, err := zpickle.Decode(data)
		if err != nil {
			return
		}
		for _, decode := range []func(any) error{
			func(s any) error { _, err := DecodeBucket(s); return err },
			func(s any) error { _, err := DecodeSet(s); return err },
			func(s any) error { _, err := DecodeTree(s); return err },
			func(s any) error { _, err := DecodeTreeSet(s); return err },
		} {
			if err := decode(state); err != nil {
				if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "btree: ") {
					t.Fatalf("error %q is not a btree corrupt error", err)
				}
			}
		}
	})
}
