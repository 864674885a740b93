package fs1

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestListOids lists the oids of small.fs: those objects.json says the
// index holds, in order; a listing stops when told and on a canceled
// context.
func TestListOids(t *testing.T) {
	fs := openRO(t, "../testdata/fs1/small/small.fs")
	defer fs.Close()
	b, err := os.ReadFile("../testdata/fs1/small/small.objects.json")
	if err != nil {
		t.Fatal(err)
	}
	var objs struct {
		NoidsInIndex int `json:"noids_in_index"`
		Objects      map[string]any
	}
	if err := json.Unmarshal(b, &objs); err != nil {
		t.Fatal(err)
	}
	var want []zodb.Oid
	for hex := range objs.Objects {
		oid, err := zodb.ParseOid(hex)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, oid)
	}
	slices.Sort(want)
	var got []zodb.Oid
	if err := fs.ListOids(ctx, func(oid zodb.Oid) bool { got = append(got, oid); return true }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || len(got) != objs.NoidsInIndex {
		t.Errorf("ListOids: %v, want %v (%d)", got, want, objs.NoidsInIndex)
	}

	n := 0
	if err := fs.ListOids(ctx, func(zodb.Oid) bool { n++; return n < 3 }); err != nil || n != 3 {
		t.Errorf("stopped listing: %d oids, %v", n, err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := fs.ListOids(canceled, func(zodb.Oid) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled listing: %v", err)
	}
}
