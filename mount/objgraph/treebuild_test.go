package objgraph

import (
	"context"
	"sync/atomic"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// Building BTrees as BTrees pickles them, for tests and benchmarks.

// family names the classes of one BTrees module.
type family struct {
	module, prefix string
}

var (
	famOO = family{"BTrees.OOBTree", "OO"}
	famLL = family{"BTrees.LLBTree", "LL"}
	famQQ = family{"BTrees.QQBTree", "QQ"}
	famFS = family{"BTrees.fsBTree", "fs"}
)

func (f family) class(kind string) ogórek.Class { return cls(f.module, f.prefix+kind) }

// treeBuilder writes the records of a tree into a database.
type treeBuilder struct {
	t       testing.TB
	db      mapLoader
	next    zodb.Oid // the next free oid
	fam     family
	set     bool // a tree set of sets, not a tree of buckets
	bucket  int  // items per bucket
	fanout  int  // children per tree node
	records int
}

func (b *treeBuilder) oid() zodb.Oid {
	b.next++
	return b.next - 1
}

func (b *treeBuilder) put(oid zodb.Oid, class ogórek.Class, state any) {
	b.db[oid] = record(b.t, class, state)
	b.records++
}

func (b *treeBuilder) kinds() (tree, bucket string) {
	if b.set {
		return "TreeSet", "Set"
	}
	return "BTree", "Bucket"
}

// build writes a tree of items, sorted by key, and returns its oid. For a
// set, the items' values are ignored.
func (b *treeBuilder) build(items []kv) zodb.Oid {
	treeKind, bucketKind := b.kinds()
	root := b.oid()
	if len(items) == 0 {
		b.put(root, b.fam.class(treeKind), ogórek.None{})
		return root
	}
	type child struct {
		oid      zodb.Oid
		firstKey any
	}
	// The buckets, each pointing to the next.
	var level []child
	for i := 0; i < len(items); i += b.bucket {
		level = append(level, child{b.oid(), items[i].k})
	}
	for i, c := range level {
		chunk := items[i*b.bucket : min(len(items), (i+1)*b.bucket)]
		var flat ogórek.Tuple
		for _, it := range chunk {
			flat = append(flat, it.k)
			if !b.set {
				flat = append(flat, it.v)
			}
		}
		state := ogórek.Tuple{flat}
		if i+1 < len(level) {
			state = append(state, ref(level[i+1].oid, b.fam.class(bucketKind)))
		}
		b.put(c.oid, b.fam.class(bucketKind), state)
	}
	first := ref(level[0].oid, b.fam.class(bucketKind))
	// Tree nodes until one is left: it is the root.
	childClass := b.fam.class(bucketKind)
	for {
		var up []child
		for i := 0; i < len(level); i += b.fanout {
			chunk := level[i:min(len(level), i+b.fanout)]
			oid := root
			if len(level) > b.fanout {
				oid = b.oid()
			}
			var items ogórek.Tuple
			for j, c := range chunk {
				if j > 0 {
					items = append(items, c.firstKey)
				}
				items = append(items, ref(c.oid, childClass))
			}
			b.put(oid, b.fam.class(treeKind), ogórek.Tuple{items, first})
			up = append(up, child{oid, chunk[0].firstKey})
		}
		if len(up) == 1 {
			return root
		}
		level, childClass = up, b.fam.class(treeKind)
	}
}

// countingLoader counts the loads it passes on.
type countingLoader struct {
	zodb.Loader
	n atomic.Int64
}

func (c *countingLoader) Load(ctx context.Context, xid zodb.Xid) ([]byte, zodb.Tid, error) {
	c.n.Add(1)
	return c.Loader.Load(ctx, xid)
}
