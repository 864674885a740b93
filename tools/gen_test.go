package tools

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// TestGenerateShape generates a database whose trees need inner nodes
// and checks every record: a class ZODB's classes, a state that decodes,
// references to records that exist, and every object reachable from the
// root, as Python's ZODB would find them.
func TestGenerateShape(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gen.fs")
	w, err := fs1.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 2*500*60 leaves would be needed for IOBTree inner nodes; 16000
	// gives OOBTree 267 buckets, over its 250 children per node.
	const n = 16000
	st, err := Generate(ctx, w, n, &GenerateOptions{TxnObjects: 5000})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if st.Txns != 4 { // 3 full, then the last 1000 leaves with the trees
		t.Errorf("%d transactions, want 4", st.Txns)
	}
	r, err := fs1.Open(ctx, path, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	refs := map[zodb.Oid][]zodb.Oid{}
	classes := map[string]int{}
	err = iterateAll(ctx, r, r.Head(), func(d *zodb.DataInfo) {
		module, name, err := zpickle.ClassOf(d.Data)
		if err != nil {
			t.Fatalf("oid %s: %v", d.Oid, err)
		}
		classes[module+"."+name]++
		if _, _, err := zpickle.Decode(d.Data); err != nil {
			t.Fatalf("oid %s: %v", d.Oid, err)
		}
		oids, err := zpickle.Refs(d.Data)
		if err != nil {
			t.Fatalf("oid %s: %v", d.Oid, err)
		}
		refs[d.Oid] = oids
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != st.Objects {
		t.Errorf("%d records, Generate said %d objects", len(refs), st.Objects)
	}
	if classes["persistent.mapping.PersistentMapping"] != n+1 || classes["BTrees.OOBTree.OOBTree"] < 2 ||
		classes["BTrees.OOBTree.OOBucket"] != (n/2+29)/30 || classes["BTrees.IOBTree.IOBucket"] != (n/2+59)/60 {
		t.Errorf("classes: %v", classes)
	}

	seen := map[zodb.Oid]bool{0: true}
	todo := []zodb.Oid{0}
	for len(todo) > 0 {
		oid := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		out, ok := refs[oid]
		if !ok {
			t.Fatalf("a reference to oid %s, which has no record", oid)
		}
		for _, o := range out {
			if !seen[o] {
				seen[o] = true
				todo = append(todo, o)
			}
		}
	}
	if len(seen) != len(refs) {
		t.Errorf("%d objects reachable from the root, %d stored", len(seen), len(refs))
	}
}
