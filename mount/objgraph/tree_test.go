package objgraph

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// newTreeDB writes a tree of items and returns the database and its oid.
func newTreeDB(t testing.TB, fam family, set bool, items []kv, bucket, fanout int) (mapLoader, zodb.Oid) {
	b := &treeBuilder{t: t, db: mapLoader{}, next: 1, fam: fam, set: set, bucket: bucket, fanout: fanout}
	return b.db, b.build(items)
}

func strItems(n int) []kv {
	items := make([]kv, n)
	for i := range items {
		items[i] = kv{fmt.Sprintf("k%05d", i), int64(i * 7)}
	}
	return items
}

// checkTree lists a tree and looks every entry up by name.
func checkTree(t *testing.T, g *Graph, oid zodb.Oid, wantNames, wantLeaves []string) {
	t.Helper()
	o := object(t, g, oid)
	es := listAll(t, o)
	if got := strings.Join(names(es), " "); got != strings.Join(wantNames, " ") {
		t.Fatalf("entries %q\nwant    %q", got, wantNames)
	}
	for i, e := range es {
		if wantLeaves != nil && string(e.Leaf) != wantLeaves[i] {
			t.Errorf("%s = %q, want %q", e.Name, e.Leaf, wantLeaves[i])
		}
		got, err := o.Lookup(bg, e.Name)
		if err != nil || got.Name != e.Name || string(got.Leaf) != string(e.Leaf) || got.Kind != e.Kind {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", e.Name, got, err, e)
		}
	}
}

// A tree three levels deep: listed in order along the chain, every key
// found by going down, one bucket loaded at a time.
func TestDeepTree(t *testing.T) {
	items := strItems(1000)
	db, oid := newTreeDB(t, famOO, false, items, 10, 5)
	cl := &countingLoader{Loader: db}
	g := New(cl, 1)
	var wantNames, wantLeaves []string
	for _, it := range items {
		wantNames = append(wantNames, it.k.(string))
		wantLeaves = append(wantLeaves, fmt.Sprint(it.v)+"\n")
	}
	checkTree(t, g, oid, wantNames, wantLeaves)

	// Streaming: the first entry costs the root and one bucket.
	g = New(cl, 1)
	cl.n.Store(0)
	it := object(t, g, oid).Entries(bg)
	if !it.Next() || it.Entry().Name != "k00000" || cl.n.Load() != 2 {
		t.Errorf("first entry %q after %d loads, want k00000 after 2", it.Entry().Name, cl.n.Load())
	}
	// A lookup goes down the levels: once warm, no load at all.
	o := object(t, g, oid)
	cl.n.Store(0)
	if e, err := o.Lookup(bg, "k00567"); err != nil || string(e.Leaf) != "3969\n" {
		t.Errorf("k00567 = %+v, %v", e, err)
	}
	if n := cl.n.Load(); n != 3 {
		t.Errorf("cold lookup: %d loads, want 3 (root → 4 nodes → 20 nodes → 100 buckets)", n)
	}
	cl.n.Store(0)
	if _, err := o.Lookup(bg, "k00568"); err != nil || cl.n.Load() != 0 {
		t.Errorf("warm lookup: %v, %d loads", err, cl.n.Load())
	}
	for _, name := range []string{"k0056", "k005670", "a", "zzz", "567", "%", "k00567%=1", "k%2F"} {
		if _, err := o.Lookup(bg, name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%q): %v, want ErrNotFound", name, err)
		}
	}
}

func TestIntTrees(t *testing.T) {
	var items []kv
	for i := -50; i < 50; i++ {
		items = append(items, kv{int64(i * 1000), ogórek.Bytes(fmt.Sprint(i))})
	}
	db, oid := newTreeDB(t, famLL, false, items, 7, 3)
	var wantNames, wantLeaves []string
	for _, it := range items {
		wantNames = append(wantNames, fmt.Sprint(it.k))
		wantLeaves = append(wantLeaves, string(it.v.(ogórek.Bytes))+"\n")
	}
	checkTree(t, New(db, 1), oid, wantNames, wantLeaves)
	o := object(t, New(db, 1), oid)
	for _, name := range []string{"-0", "01000", "1000.0", "+1000", "1e3", "x"} {
		if _, err := o.Lookup(bg, name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%q): %v, want ErrNotFound", name, err)
		}
	}

	// Unsigned 64-bit keys beyond int64 are longs.
	huge, _ := new(big.Int).SetString("18446744073709551615", 10)
	db, oid = newTreeDB(t, famQQ, false, []kv{{int64(1), int64(2)}, {huge, huge}}, 1, 2)
	checkTree(t, New(db, 1), oid, []string{"1", "18446744073709551615"}, []string{"2\n", "18446744073709551615\n"})
}

// A tree set lists its items, each showing itself.
func TestTreeSet(t *testing.T) {
	items := strItems(50)
	db, oid := newTreeDB(t, famOO, true, items, 8, 3)
	var wantNames, wantLeaves []string
	for _, it := range items {
		wantNames = append(wantNames, it.k.(string))
		wantLeaves = append(wantLeaves, it.k.(string)+"\n")
	}
	g := New(db, 1)
	checkTree(t, g, oid, wantNames, wantLeaves)
	if o := object(t, g, oid); o.Kind != KindTreeSet {
		t.Errorf("kind %s", o.Kind)
	}
}

// fsBTree keys are 2-byte strings, named by their bytes repr.
func TestFsBTree(t *testing.T) {
	items := []kv{{ogórek.Bytes("\x00\x01"), ogórek.Bytes("abcdef")}, {ogórek.Bytes("\x00/"), ogórek.Bytes("ghijkl")}, {ogórek.Bytes("a'"), ogórek.Bytes("x")}}
	db, oid := newTreeDB(t, famFS, false, items, 2, 2)
	checkTree(t, New(db, 1), oid, []string{`b'\x00\x01'`, `b'\x00%2F'`, `b"a'"`}, []string{"abcdef\n", "ghijkl\n", "x\n"})
}

// Keys Python 2 could mix in one OOBTree: numbers sort before strs; a str
// keeps its name and a number of the same text is displaced.
func TestMixedKeys(t *testing.T) {
	items := []kv{
		{ogórek.None{}, "none"}, {int64(1), "int 1"}, {int64(2), "int 2"}, {1.5, "float"}, {int64(3), "int 3"},
		{"1", "str 1"}, {"3", "str 3"}, {"None", "str None"}, {"a", "a"},
	}
	// Sorted as Python 2 sorts them.
	items = []kv{items[0], items[1], items[3], items[2], items[4], items[5], items[6], items[7], items[8]}
	db, oid := newTreeDB(t, famOO, false, items, 2, 2)
	checkTree(t, New(db, 1), oid,
		[]string{"None%=1", "1%=1", "1.5", "2", "3%=1", "1", "3", "None", "a"},
		[]string{"none\n", "int 1\n", "float\n", "int 2\n", "int 3\n", "str 1\n", "str 3\n", "str None\n", "a\n"})
}

// Keys no name reads back — tuples, long texts, names that need escaping —
// are found by going through the tree.
func TestUnparsedKeys(t *testing.T) {
	long1, long2 := strings.Repeat("x", 300)+"1", strings.Repeat("x", 300)+"2"
	items := []kv{{"", "empty"}, {".", "dot"}, {"..", "dotdot"}, {"a/b", "slash"}, {long1, "l1"}, {long2, "l2"}}
	db, oid := newTreeDB(t, famOO, false, items, 2, 2)
	g := New(db, 1)
	checkTree(t, g, oid, []string{"%", "%2E", "%2E%2E", "a%2Fb", escape(long1), escape(long2)}, []string{"empty\n", "dot\n", "dotdot\n", "slash\n", "l1\n", "l2\n"})

	tuples := []kv{{ogórek.Tuple{int64(1), "a"}, int64(1)}, {ogórek.Tuple{int64(1), "b"}, int64(2)}, {ogórek.Tuple{int64(2)}, int64(3)}}
	db, oid = newTreeDB(t, famOO, false, tuples, 2, 2)
	g = New(db, 1)
	checkTree(t, g, oid, []string{"(1, 'a')", "(1, 'b')", "(2,)"}, nil)
	if _, err := object(t, g, oid).Lookup(bg, "foo"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup(foo): %v", err)
	}
}

func TestEmptyAndInlineTrees(t *testing.T) {
	db, oid := newTreeDB(t, famOO, false, nil, 2, 2)
	g := New(db, 1)
	if es := listAll(t, object(t, g, oid)); len(es) != 0 {
		t.Errorf("empty tree: %q", names(es))
	}
	if _, err := object(t, g, oid).Lookup(bg, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty tree lookup: %v", err)
	}
	db[2] = record(t, ooBTreeClass, ogórek.Tuple{ogórek.Tuple{ogórek.Tuple{ogórek.Tuple{"a", int64(1), "b", int64(2)}}}})
	checkTree(t, New(db, 1), 2, []string{"a", "b"}, []string{"1\n", "2\n"})
}

// A bucket looked at on its own lists its own items only.
func TestBucketAlone(t *testing.T) {
	db, oid := newTreeDB(t, famOO, false, strItems(10), 4, 5)
	g := New(db, 1)
	tree := object(t, g, oid)
	b := object(t, g, tree.tree.Children[1].Oid)
	if b.Kind != KindBucket {
		t.Fatalf("kind %s", b.Kind)
	}
	if got := strings.Join(names(listAll(t, b)), " "); got != "k00004 k00005 k00006 k00007" {
		t.Errorf("bucket entries %s", got)
	}
}

// Goroutines browse one graph at once: its cache, objects and values are
// shared (run with -race).
func TestConcurrent(t *testing.T) {
	db, oid := newTreeDB(t, famOO, false, strItems(3000), 30, 4)
	db[0] = record(t, pmClass, dict("data", dict("tree", ref(oid, ooBTreeClass), "l", []any{dict("a", int64(1))})))
	g := New(db, 1)
	done := make(chan error)
	for w := 0; w < 8; w++ {
		go func() {
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				var e Entry
				e, err = g.Walk(bg, "tree", fmt.Sprintf("k%05d", (i*37+w)%3000))
				if err == nil && e.Kind != EntryLeaf {
					err = fmt.Errorf("entry %+v", e)
				}
				if err == nil {
					_, err = g.Walk(bg, "l", "0", "a")
				}
			}
			var o *Object
			if err == nil {
				o, err = g.Object(bg, oid)
			}
			if err == nil {
				_, err = listErr(o)
			}
			done <- err
		}()
	}
	for w := 0; w < 8; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
