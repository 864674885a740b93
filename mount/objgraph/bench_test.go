package objgraph

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// bigItems is the size of the benchmarks' trees.
const bigItems = 100_000

// bigDB writes a FileStorage whose root mapping holds, under "tree", a
// tree of items shaped as BTrees shapes a large OOBTree (buckets of 30
// items, nodes of 250 children), and returns it opened read-only with the
// tree's oid and its record count.
func bigDB(b *testing.B, fam family, items []kv) (*fs1.FileStorage, zodb.Oid, int) {
	b.Helper()
	tb := &treeBuilder{t: b, db: mapLoader{}, next: 1, fam: fam, bucket: 30, fanout: 250}
	oid := tb.build(items)
	tb.db[0] = record(b, pmClass, dict("data", dict("tree", ref(oid, fam.class("BTree")))))

	path := filepath.Join(b.TempDir(), "big.fs")
	w, err := fs1.OpenWith(bg, path, &fs1.Options{Sync: fs1.SyncNone, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	txn, err := w.Begin(bg, zodb.TxnMeta{Description: []byte("a big tree")})
	if err != nil {
		b.Fatal(err)
	}
	oids := make([]zodb.Oid, 0, len(tb.db))
	for oid := range tb.db {
		oids = append(oids, oid)
	}
	slices.Sort(oids)
	for _, oid := range oids {
		if err := txn.Store(bg, oid, 0, tb.db[oid]); err != nil {
			b.Fatal(err)
		}
	}
	if err := txn.Vote(bg); err != nil {
		b.Fatal(err)
	}
	if _, err := txn.Finish(bg); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return openFS(b, path), oid, len(tb.db)
}

func bigStrItems() []kv {
	items := make([]kv, bigItems)
	for i := range items {
		var v any = int64(i)
		if i%3 == 0 {
			v = fmt.Sprintf("value of item %d", i)
		}
		items[i] = kv{fmt.Sprintf("item%07d", i), v}
	}
	return items
}

// BenchmarkListBTree lists every item of a 100,000-item tree, cold: each
// bucket is loaded from the FileStorage and decoded as the listing goes.
// A tree of str keys (the common OOBTree), of int keys (IOBTree: no
// names to check against text keys) and an OOBTree of int keys (each key
// is checked against a text key of its name).
func BenchmarkListBTree(b *testing.B) {
	ints := make([]kv, bigItems)
	for i := range ints {
		ints[i] = kv{int64(i * 3), int64(i)}
	}
	for _, c := range []struct {
		name  string
		fam   family
		items []kv
	}{
		{"OOBTree-str", famOO, bigStrItems()},
		{"IOBTree", family{"BTrees.IOBTree", "IO"}, ints},
		{"OOBTree-int", famOO, ints},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, oid, _ := bigDB(b, c.fam, c.items)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				g := New(s, s.Head())
				o, err := g.Object(bg, oid)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				it := o.Entries(bg)
				for it.Next() {
					n++
				}
				if it.Err() != nil || n != bigItems {
					b.Fatalf("%d entries, %v", n, it.Err())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bigItems), "ns/entry")
		})
	}
}

// BenchmarkLookupBTree looks up random names of a 100,000-item OOBTree,
// with the graph's cache warm as it is while a person browses: the root
// node in the cache, a bucket loaded for each lookup; and names that are
// not there.
func BenchmarkLookupBTree(b *testing.B) {
	s, oid, _ := bigDB(b, famOO, bigStrItems())
	g := New(s, s.Head())
	o, err := g.Object(bg, oid)
	if err != nil {
		b.Fatal(err)
	}
	for _, miss := range []bool{false, true} {
		b.Run(fmt.Sprintf("miss=%v", miss), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, uint64(len(b.Name())))) // misses do not find the hits' buckets cached
			b.ReportAllocs()
			for range b.N {
				name := fmt.Sprintf("item%07d", r.IntN(bigItems))
				if miss {
					name += "x"
				}
				_, err := o.Lookup(bg, name)
				if (err != nil) != miss {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStateText makes the state text of every object of a database:
// small.fs, and the 3,351 records of a 100,000-item OOBTree.
func BenchmarkStateText(b *testing.B) {
	b.Run("small.fs", func(b *testing.B) {
		s := openFS(b, smallFS)
		benchStateText(b, New(s, s.Head()), 0x24)
	})
	b.Run("OOBTree", func(b *testing.B) {
		s, _, n := bigDB(b, famOO, bigStrItems())
		benchStateText(b, New(s, s.Head()), n)
	})
}

func benchStateText(b *testing.B, g *Graph, n int) {
	var objs []*Object
	for oid := range zodb.Oid(n) {
		if o, err := g.load(bg, oid); err == nil {
			objs = append(objs, o)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	size := 0
	for range b.N {
		size = 0
		for _, o := range objs {
			text, err := o.StateText()
			if err != nil {
				b.Fatal(err)
			}
			size += len(text)
		}
	}
	b.ReportMetric(float64(size), "text-bytes")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
}
