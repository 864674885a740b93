package objgraph

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// The root's entries are the keys of the root mapping, each a reference to
// the object Python stored there.
func TestRootEntries(t *testing.T) {
	s := openFS(t, smallFS)
	g := New(s, s.Head())
	root := object(t, g, 0)
	if root.Class != "persistent.mapping.PersistentMapping" || root.Kind != KindMapping {
		t.Fatalf("root: class %q kind %s", root.Class, root.Kind)
	}

	// The keys and references, decoded here without objgraph.
	data, _, err := s.Load(bg, zodb.Xid{At: s.Head(), Oid: 0})
	if err != nil {
		t.Fatal(err)
	}
	_, state, err := zpickle.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]zodb.Oid{}
	for k, v := range state.(ogórek.Dict).Get("data").(ogórek.Dict).Iter() {
		want[k.(string)] = v.(zpickle.Ref).Oid
	}

	es := listAll(t, root)
	if !slices.IsSorted(names(es)) || len(es) != len(want) {
		t.Fatalf("root entries %q, want the %d keys sorted", names(es), len(want))
	}
	for _, e := range es {
		if e.Kind != EntryRef || e.Ref.Oid != want[e.Name] || e.Key != e.Name {
			t.Errorf("root/%s: %+v, want a reference to %s", e.Name, e, want[e.Name])
		}
	}
	if _, ok := want["oobtree"]; !ok {
		t.Fatalf("no oobtree in root: %q", names(es))
	}
}

// The OOBTree lists every item in key order with the values Python put
// there (read from pickletools' disassembly), at T1 (300 keys) and at the
// head (301 keys, after churn), walking the chain of buckets.
func TestOOBTreeItems(t *testing.T) {
	s := openFS(t, smallFS)
	for _, at := range []zodb.Tid{smallT01, smallT05, s.Head()} {
		g := New(s, at)
		e := walk(t, g, "oobtree")
		o := object(t, g, e.Ref.Oid)
		if o.Kind != KindBTree {
			t.Fatalf("oobtree is a %s", o.Kind)
		}
		es := listAll(t, o)

		var want [][2]string
		for _, b := range pyBuckets(t, "../../testdata/fs1/small/small.zdump.zpickledis", at) {
			for i := 0; i+1 < len(b); i += 2 {
				want = append(want, [2]string{b[i], b[i+1]})
			}
		}
		slices.SortFunc(want, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		if len(es) != len(want) {
			t.Fatalf("@%s: %d entries, want %d", at, len(es), len(want))
		}
		for i, e := range es {
			if e.Name != want[i][0] || e.Kind != EntryLeaf || string(e.Leaf) != want[i][1]+"\n" {
				t.Fatalf("@%s: entry %d: %q = %q, want %q = %q", at, i, e.Name, e.Leaf, want[i][0], want[i][1])
			}
		}
		t.Logf("@%s: %d items", at, len(es))
		switch at {
		case smallT01:
			if len(es) != 300 {
				t.Errorf("@T1: %d items, want 300", len(es))
			}
		case s.Head():
			if len(es) != 301 || es[300].Name != "zzz-last" || string(es[300].Leaf) != "last\n" {
				t.Errorf("@head: %d items, last %+v", len(es), es[len(es)-1])
			}
		}
	}
}

// The IOBTree keeps its one bucket inline: 51 items, int keys named in
// decimal, values of every kind.
func TestIOBTree(t *testing.T) {
	g := headGraph(t, smallFS)
	e := walk(t, g, "iobtree")
	o := object(t, g, e.Ref.Oid)
	if o.Class != "BTrees.IOBTree.IOBTree" || o.Kind != KindBTree || o.tree.Bucket == nil {
		t.Fatalf("iobtree: %s %s, inline bucket %v", o.Class, o.Kind, o.tree.Bucket != nil)
	}
	es := listAll(t, o)
	if len(es) != 51 {
		t.Fatalf("%d items, want 51", len(es))
	}
	for i, e := range es {
		if e.Name != naturalName(o.tree.Bucket.Keys[i], nil) {
			t.Errorf("entry %d: %q, want key %v", i, e.Name, o.tree.Bucket.Keys[i])
		}
		if i > 0 && e.Key.(int64) <= es[i-1].Key.(int64) {
			t.Errorf("entry %d: %q after %q", i, e.Name, es[i-1].Name)
		}
	}
	for name, want := range map[string]string{
		"-3164": "bytes-3164\n",
		"-2936": "None\n",
		"-2563": "-366.14285714285717\n",
		"-1745": "str-1745\n",
	} {
		if e := walk(t, g, "iobtree", name); e.Kind != EntryLeaf || string(e.Leaf) != want {
			t.Errorf("iobtree/%s = %+v, want leaf %q", name, e, want)
		}
	}
	if e := walk(t, g, "iobtree", "-1366"); e.Kind != EntryRef || e.Ref.Oid != 0x15 {
		t.Errorf("iobtree/-1366 = %+v, want a reference to 0x15", e)
	}
	if e := walk(t, g, "iobtree", "-938", "1"); string(e.Leaf) != "938\n" {
		t.Errorf("iobtree/-938/1 = %+v, want 938", e)
	}
	for _, name := range []string{"0", "-0", "0444", "444.0", "x", "%", ".."} {
		if _, err := g.Walk(bg, "iobtree", name); !errors.Is(err, ErrNotFound) {
			t.Errorf("iobtree/%s: %v, want ErrNotFound", name, err)
		}
	}
}

func TestPersistentList(t *testing.T) {
	g := headGraph(t, smallFS)
	o := object(t, g, walk(t, g, "plist").Ref.Oid)
	if o.Kind != KindList {
		t.Fatalf("plist is a %s", o.Kind)
	}
	es := listAll(t, o)
	if got := strings.Join(names(es), " "); got != "0 1 2 3 4 5 6 7" {
		t.Fatalf("plist entries %s", got)
	}
	leaves := map[int]string{0: "1\n", 1: "two\n", 2: "three\n", 3: "4.0\n", 4: "None\n", 7: "appended in T12\n"}
	for i, want := range leaves {
		if es[i].Kind != EntryLeaf || string(es[i].Leaf) != want || es[i].Key != int64(i) {
			t.Errorf("plist/%d = %+v, want %q", i, es[i], want)
		}
	}
	if e := walk(t, g, "plist", "6", "1", "0"); string(e.Leaf) != "8\n" {
		t.Errorf("plist/6/1/0 = %+v, want 8", e)
	}
	if es[5].Kind != EntryDir || strings.Join(names(listAll(t, es[5].Dir)), " ") != "0 1" {
		t.Errorf("plist/5 = %+v, want the tuple (5, 6)", es[5])
	}
}

// An instance's attributes, with values of every type as leaves or
// subdirectories.
func TestInstanceAttributes(t *testing.T) {
	g := headGraph(t, smallFS)
	o := object(t, g, walk(t, g, "values").Ref.Oid)
	if o.Class != "zcorpus.Item" || o.Kind != KindInstance {
		t.Fatalf("values: %s %s", o.Class, o.Kind)
	}
	want := "b big cplx d empty_b empty_s empty_t f false fs i l long_s nan_like neg negbig none s t true u"
	if got := strings.Join(names(listAll(t, o)), " "); got != want {
		t.Fatalf("attributes %s\nwant %s", got, want)
	}
	for name, leaf := range map[string]string{
		"b":        "\x00\x01\xfe\xff raw bytes\n",
		"big":      "1180591620717411303424\n",
		"cplx":     "(1-2j)\n",
		"empty_b":  "\n",
		"empty_s":  "\n",
		"f":        "3.141592653589793\n",
		"false":    "False\n",
		"i":        "42\n",
		"nan_like": "inf\n",
		"neg":      "-7\n",
		"negbig":   "-36893488147419103232\n",
		"none":     "None\n",
		"s":        "plain ascii\n",
		"true":     "True\n",
		"u":        "ünïcödé ☃ 日本語 Ωμέγα\n",
	} {
		if e := walk(t, g, "values", name); e.Kind != EntryLeaf || string(e.Leaf) != leaf {
			t.Errorf("values/%s = %q (%s), want %q", name, e.Leaf, e.Kind, leaf)
		}
	}
	for path, want := range map[string]string{
		"empty_t": "",
		"fs":      "1",
		"l":       "0 1 2",
		"t":       "0 1 2 3",
		"d":       "3 k ü",
		"d/k":     "0 1 2",
		"d/k/2":   "n",
	} {
		e := walk(t, g, append([]string{"values"}, strings.Split(path, "/")...)...)
		if e.Kind != EntryDir {
			t.Errorf("values/%s is a %s", path, e.Kind)
			continue
		}
		if got := strings.Join(names(listAll(t, e.Dir)), " "); got != want {
			t.Errorf("values/%s: %q, want %q", path, got, want)
		}
	}
	if e := walk(t, g, "values", "l", "1"); string(e.Leaf) != "-0.0\n" {
		t.Errorf("values/l/1 = %q", e.Leaf)
	}
	if e := walk(t, g, "values", "d", "3"); string(e.Leaf) != "int key\n" || e.Key != int64(3) {
		t.Errorf("values/d/3 = %+v", e)
	}

	// A state that is not a dict is one entry, "state".
	e := walk(t, g, "rawvalue", "state")
	if e.Kind != EntryLeaf || string(e.Leaf) != "raw non-dict state ünïcödé ☃ 日本語 Ωμέγα\n" {
		t.Errorf("rawvalue/state = %+v", e)
	}
}

// The reference graph has cycles: entries are one level at a time, and a
// walk goes round as often as it is told to.
func TestCycles(t *testing.T) {
	g := headGraph(t, smallFS)
	path := []string{"graph"}
	for i := 0; i < 30; i++ {
		path = append(path, "refs", "0")
	}
	if e := walk(t, g, append(path, "name")...); string(e.Leaf) != "A\n" {
		t.Errorf("graph/(refs/0/)*30/name = %q, want A (30 = 3 × the cycle A→B→C→A)", e.Leaf)
	}
	if e := walk(t, g, "graph", "refs", "2"); e.Kind != EntryRef || e.Ref.Oid != 1 {
		t.Errorf("graph/refs/2 = %+v, want the OOBTree", e)
	}
}

// A deleted object and a dangling reference still appear as entries;
// loading them says ErrMissing.
func TestMissing(t *testing.T) {
	g := headGraph(t, smallFS)
	e := walk(t, g, "graph_d")
	if e.Kind != EntryRef || e.Ref.Oid != 0x1c {
		t.Fatalf("graph_d = %+v", e)
	}
	_, err := g.Object(bg, e.Ref.Oid)
	if !errors.Is(err, ErrMissing) || !zodb.IsNoData(err) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrBroken) {
		t.Errorf("deleted object: %v, want ErrMissing", err)
	}
	if _, err := g.Walk(bg, "graph_d", "name"); !errors.Is(err, ErrMissing) {
		t.Errorf("graph_d/name: %v, want ErrMissing", err)
	}
	var oe *Error
	if !errors.As(err, &oe) || oe.Oid != 0x1c || oe.At != g.At() || !strings.HasPrefix(err.Error(), "objgraph: ") {
		t.Errorf("error %v: want an *Error of 0x1c", err)
	}

	// 0x23 refers to an oid that never existed.
	o := object(t, g, 0x23)
	r, err := o.Lookup(bg, "ref")
	if err != nil || r.Kind != EntryRef || r.Ref.Oid != 0xdeadbeef {
		t.Fatalf("0x23/ref: %+v, %v", r, err)
	}
	if _, err := g.Open(bg, r); !errors.Is(err, ErrMissing) {
		t.Errorf("dangling reference: %v, want ErrMissing", err)
	}
	if _, err := g.Walk(bg, "hot", "n", "x"); !errors.Is(err, ErrNotDir) {
		t.Errorf("below a leaf: %v, want ErrNotDir", err)
	}
	if _, err := g.Walk(bg, "nosuch"); !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("root/nosuch: %v, want ErrNotFound", err)
	}
}

// Refs lists the record's references, class pickle included.
func TestRefs(t *testing.T) {
	g := headGraph(t, smallFS)
	o := object(t, g, walk(t, g, "graph").Ref.Oid)
	refs, err := o.Refs()
	if err != nil {
		t.Fatal(err)
	}
	var oids []zodb.Oid
	for _, r := range refs {
		oids = append(oids, r.Oid)
	}
	if !slices.Equal(oids, []zodb.Oid{0x1d, 0x1e, 0x1}) {
		t.Errorf("refs %v", oids)
	}
}
