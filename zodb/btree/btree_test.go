package btree

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

const testdata = "../../testdata"

type record struct {
	oid  zodb.Oid
	tid  string
	data []byte
}

// loadRecords returns the records with data of a zodbdump file (zodbtools'
// format: "obj <oid> <len> sha1:<hex>\n<len bytes>\n"); undo and deletion
// records are left out.
func loadRecords(tb testing.TB, path string) []record {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var recs []record
	tid := ""
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		raw = rest
		f := strings.Fields(string(line))
		switch {
		case len(f) >= 2 && f[0] == "txn":
			tid = f[1]
		case len(f) >= 3 && f[0] == "obj":
			n, err := strconv.Atoi(f[2])
			if err != nil {
				continue // delete, from
			}
			oid, err := zodb.ParseOid(f[1])
			if err != nil || n > len(raw) {
				tb.Fatalf("%s: bad record line %q", path, line)
			}
			recs = append(recs, record{oid: oid, tid: tid, data: raw[:n:n]})
			raw = raw[n+1:]
		}
	}
	return recs
}

// smallStates decodes every record of small.fs, and returns the state of
// the newest revision of each object by oid.
func smallStates(t *testing.T) map[zodb.Oid]any {
	cur := map[zodb.Oid]any{}
	for _, r := range loadRecords(t, filepath.Join(testdata, "fs1/small/small.zdump.raw")) {
		_, state, err := zpickle.Decode(r.data)
		if err != nil {
			t.Fatal(err)
		}
		cur[r.oid] = state
	}
	return cur
}

// TestDecodeAllTestdata decodes the state of every BTrees record of
// testdata, with the decoder its class calls for.
func TestDecodeAllTestdata(t *testing.T) {
	dumps, _ := filepath.Glob(filepath.Join(testdata, "fs1/*/*.zdump.raw"))
	count := map[string]int{}
	for _, path := range dumps {
		for _, r := range loadRecords(t, path) {
			mod, name, err := zpickle.ClassOf(r.data)
			if err != nil {
				t.Fatal(err)
			}
			kind, ok := IsBTreeClass(mod, name)
			if !ok {
				continue
			}
			_, state, err := zpickle.Decode(r.data)
			if err != nil {
				t.Fatal(err)
			}
			switch kind {
			case KindBTree:
				_, err = DecodeTree(state)
			case KindBucket:
				_, err = DecodeBucket(state)
			case KindTreeSet:
				_, err = DecodeTreeSet(state)
			case KindSet:
				_, err = DecodeSet(state)
			}
			if err != nil {
				t.Errorf("%s: %s@%s %s.%s: %v", path, r.oid, r.tid, mod, name, err)
			}
			count[kind]++
		}
	}
	if count[KindBTree] < 10 || count[KindBucket] < 100 {
		t.Errorf("too few records decoded: %v", count)
	}
}

// TestOOBTree walks the OOBTree of small.fs (oid 1) as BTrees does. The
// figures were found by walking the same records in Python: 16 buckets
// after the churn of T5, 301 keys.
func TestOOBTree(t *testing.T) {
	states := smallStates(t)
	tree, err := DecodeTree(states[1])
	if err != nil {
		t.Fatal(err)
	}
	if tree.Bucket != nil || len(tree.Children) != 16 || len(tree.Keys) != 15 {
		t.Fatalf("tree of %d children, %d keys, inline bucket %v", len(tree.Children), len(tree.Keys), tree.Bucket != nil)
	}
	if *tree.FirstBucket != tree.Children[0] {
		t.Errorf("first bucket %v, first child %v", tree.FirstBucket, tree.Children[0])
	}
	total := 0
	next := tree.FirstBucket
	for i, child := range tree.Children {
		if next == nil || next.Oid != child.Oid {
			t.Fatalf("bucket chain at child %d: %v, want %v", i, next, child)
		}
		if child.Class != "BTrees.OOBTree.OOBucket" {
			t.Errorf("child %d class %q", i, child.Class)
		}
		b, err := DecodeBucket(states[child.Oid])
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Keys) == 0 || len(b.Values) != len(b.Keys) {
			t.Fatalf("bucket %s: %d keys, %d values", child.Oid, len(b.Keys), len(b.Values))
		}
		for j, k := range b.Keys {
			ks := k.(string)
			if j > 0 && ks <= b.Keys[j-1].(string) {
				t.Errorf("bucket %s: keys out of order at %d", child.Oid, j)
			}
			if i > 0 && ks < tree.Keys[i-1].(string) || i < len(tree.Keys) && ks >= tree.Keys[i].(string) {
				t.Errorf("bucket %s: key %q outside its child's range", child.Oid, ks)
			}
		}
		total += len(b.Keys)
		next = b.Next
	}
	if next != nil {
		t.Errorf("last bucket has a next: %v", next)
	}
	if total != 301 {
		t.Errorf("%d keys, want 301", total)
	}
}

// TestIOBTree checks the IOBTree of small.fs (oid 0x12): small enough to
// keep its one bucket of 51 items inline.
func TestIOBTree(t *testing.T) {
	tree, err := DecodeTree(smallStates(t)[0x12])
	if err != nil {
		t.Fatal(err)
	}
	b := tree.Bucket
	if b == nil || len(tree.Children) != 0 || tree.FirstBucket != nil {
		t.Fatalf("tree %+v: want an inline bucket only", tree)
	}
	if len(b.Keys) != 51 || b.Next != nil {
		t.Fatalf("inline bucket: %d keys, next %v", len(b.Keys), b.Next)
	}
	refs := 0
	for i, k := range b.Keys {
		if i > 0 && cmp.Compare(k.(int64), b.Keys[i-1].(int64)) <= 0 {
			t.Errorf("keys out of order at %d", i)
		}
		if r, ok := b.Values[i].(zpickle.Ref); ok && r.Class == "zcorpus.Item" {
			refs++
		}
	}
	if refs == 0 {
		t.Error("no references to items among the values")
	}
}

func TestIsBTreeClass(t *testing.T) {
	for _, tt := range []struct {
		module, name, kind string
	}{
		{"BTrees.OOBTree", "OOBTree", KindBTree},
		{"BTrees.OOBTree", "OOBucket", KindBucket},
		{"BTrees.OOBTree", "OOSet", KindSet},
		{"BTrees.OOBTree", "OOTreeSet", KindTreeSet},
		{"BTrees.IOBTree", "IOBTree", KindBTree},
		{"BTrees.LLBTree", "LLBucket", KindBucket},
		{"BTrees.QQBTree", "QQTreeSet", KindTreeSet},
		{"BTrees.OIBTree", "OISet", KindSet},
		{"BTrees.fsBTree", "fsBucket", KindBucket},
		{"BTrees._IIBTree", "IIBTree", KindBTree},
		{"BTrees.OOBTree", "BTree", KindBTree},
		{"BTrees.OOBTree", "OOBucketPy", KindBucket},
		{"BTrees.OOBTree", "IOBTree", ""},
		{"BTrees.XXBTree", "XXBTree", ""},
		{"BTrees.Length", "Length", ""},
		{"BTrees.OOBTree", "OOTreeIterator", ""},
		{"persistent.mapping", "PersistentMapping", ""},
		{"BTreesX.OOBTree", "OOBTree", ""},
	} {
		kind, ok := IsBTreeClass(tt.module, tt.name)
		if kind != tt.kind || ok != (tt.kind != "") {
			t.Errorf("IsBTreeClass(%s, %s) = %q, %v", tt.module, tt.name, kind, ok)
		}
	}
}

func TestDecodeShapes(t *testing.T) {
	ref := func(oid zodb.Oid) zpickle.Ref { return zpickle.Ref{Oid: oid, Class: "BTrees.OOBTree.OOBucket"} }
	tup := func(v ...any) ogórek.Tuple { return ogórek.Tuple(v) }

	// An empty tree.
	if tr, err := DecodeTree(ogórek.None{}); err != nil || tr.Bucket != nil || tr.Children != nil {
		t.Errorf("empty tree: %+v, %v", tr, err)
	}
	// A set tree with an inline set bucket.
	tr, err := DecodeTreeSet(tup(tup(tup(tup("a", "b")))))
	if err != nil || tr.Bucket == nil || len(tr.Bucket.Keys) != 2 || tr.Bucket.Values != nil {
		t.Errorf("inline set: %+v, %v", tr, err)
	}
	// A tree without its firstbucket: the first child stands for it.
	tr, err = DecodeTree(tup(tup(ref(1), "k", ref(2))))
	if err != nil || tr.FirstBucket == nil || tr.FirstBucket.Oid != 1 || len(tr.Keys) != 1 {
		t.Errorf("no firstbucket: %+v, %v", tr, err)
	}
	// A set bucket with a next.
	b, err := DecodeSet(tup(tup(int64(1), int64(2), int64(3)), ref(9)))
	if err != nil || len(b.Keys) != 3 || b.Next == nil || b.Next.Oid != 9 {
		t.Errorf("set with next: %+v, %v", b, err)
	}

	bad := map[string]func() error{
		"bucket not tuple":  func() error { _, err := DecodeBucket("x"); return err },
		"bucket odd items":  func() error { _, err := DecodeBucket(tup(tup("a", int64(1), "b"))); return err },
		"bucket items":      func() error { _, err := DecodeBucket(tup([]any{"a", int64(1)})); return err },
		"bucket next":       func() error { _, err := DecodeBucket(tup(tup(), "next")); return err },
		"bucket 3-tuple":    func() error { _, err := DecodeBucket(tup(tup(), ref(1), ref(2))); return err },
		"bucket None":       func() error { _, err := DecodeBucket(ogórek.None{}); return err },
		"tree even items":   func() error { _, err := DecodeTree(tup(tup(ref(1), "k"), ref(1))); return err },
		"tree child":        func() error { _, err := DecodeTree(tup(tup(ref(1), "k", "c"), ref(1))); return err },
		"tree first":        func() error { _, err := DecodeTree(tup(tup(ref(1)), int64(3))); return err },
		"tree empty items":  func() error { _, err := DecodeTree(tup(tup(), ref(1))); return err },
		"tree inline bad":   func() error { _, err := DecodeTree(tup(tup(tup(tup("a"))))); return err },
		"tree inline of 2":  func() error { _, err := DecodeTree(tup(tup(tup(tup()), "k", ref(1)))); return err },
		"tree not a tuple":  func() error { _, err := DecodeTree([]any{}); return err },
		"treeset 3-tuple":   func() error { _, err := DecodeTreeSet(tup(tup(ref(1)), ref(1), ref(1))); return err },
		"tree inline first": func() error { _, err := DecodeTree(tup(tup(tup(tup())), ref(1))); return err },
	}
	for name, f := range bad {
		err := f()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "btree: ") {
			t.Errorf("%s: error %q is not a btree corrupt error", name, err)
		}
	}
}
