package objgraph

import (
	"bytes"
	"errors"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// FuzzObject decodes a record as the root object, with a second record as
// oids 1 and 2 (a bucket, a child, the target of the root's references):
// nothing panics or runs without end, listings have valid and distinct
// names that Lookup finds again, and the state text is one and the same.
func FuzzObject(f *testing.F) {
	s := openFS(f, smallFS)
	var records [][]byte
	for oid := zodb.Oid(0); oid < 0x24; oid++ {
		data, _, err := s.Load(bg, zodb.Xid{At: s.Head(), Oid: oid})
		if err == nil {
			records = append(records, data)
		}
	}
	for i, r := range records {
		f.Add(r, records[(i+1)%len(records)])
	}
	for _, seed := range [][2][]byte{
		{record(f, ooBTreeClass, ogórek.Tuple{ogórek.Tuple{ref(1, ooBucketClass), "m", ref(2, ooBucketClass)}, ref(1, ooBucketClass)}),
			record(f, ooBucketClass, ogórek.Tuple{ogórek.Tuple{"a", int64(1), int64(1), "b"}, ref(2, ooBucketClass)})},
		{record(f, cls("BTrees.LOBTree", "LOTreeSet"), ogórek.Tuple{ogórek.Tuple{ref(1, ooBucketClass)}, ref(1, ooBucketClass)}),
			record(f, cls("BTrees.LOBTree", "LOSet"), ogórek.Tuple{ogórek.Tuple{int64(1), int64(2)}})},
		{record(f, pmClass, dict("data", dict(int64(3), "x", "3", []any{ogórek.Tuple{}, ogórek.None{}}, "", ref(1, pmClass)))),
			record(f, cls("zcorpus", "Item"), ogórek.Tuple{ogórek.None{}, dict("slot", 1.5)})},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, root, child []byte) {
		g := New(mapLoader{0: root, 1: child, 2: child}, 1)
		o, err := g.Object(bg, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.Refs(); err != nil && o.Err == nil {
			t.Logf("refs of a decodable record: %v", err)
		}
		text, err := o.StateText()
		if err != nil {
			if o.Err == nil || !errors.Is(err, ErrBroken) {
				t.Fatalf("state text: %v (object error %v)", err, o.Err)
			}
			return
		}
		if len(text) == 0 || text[len(text)-1] != '\n' {
			t.Fatalf("state text %q", text)
		}
		if text2, err := StateText(root); err != nil || !bytes.Equal(text2, text) {
			t.Fatalf("StateText of the record: %v", err)
		}
		if again, _ := New(mapLoader{0: root, 1: child, 2: child}, 1).Object(bg, 0); !bytes.Equal(mustText(t, again), text) {
			t.Fatal("state text differs between two decodings")
		}
		fuzzDir(t, o, 0)
	})
}

func mustText(t *testing.T, o *Object) []byte {
	text, err := o.StateText()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// fuzzDir lists a directory (its first thousand entries) and the
// containers in it. A listed entry is found again by Lookup; in a damaged
// tree, whose inner keys may not lead where its buckets are (a listing can
// end in ErrBroken, a descent miss what the chain holds, as with BTrees
// itself), Lookup may say it is not there, but never gives another entry.
func fuzzDir(t *testing.T, d Dir, depth int) {
	it := d.Entries(bg)
	seen := map[string]bool{}
	var es []Entry
	for n := 0; n < 1000 && it.Next(); n++ {
		e := it.Entry()
		if !validName(e.Name) || seen[e.Name] {
			t.Fatalf("bad or repeated name %q", e.Name)
		}
		seen[e.Name] = true
		es = append(es, e)
	}
	err := it.Err()
	if err != nil && !errors.Is(err, ErrBroken) && !errors.Is(err, ErrMissing) {
		t.Fatalf("listing: %v", err)
	}
	o, isObject := d.(*Object)
	tree := isObject && o.tree != nil
	for _, e := range es {
		got, lerr := d.Lookup(bg, e.Name)
		if tree && (errors.Is(lerr, ErrNotFound) || errors.Is(lerr, ErrBroken)) {
			continue
		}
		if lerr != nil || !sameEntry(got, e) {
			t.Fatalf("Lookup(%q) = %+v, %v; listed %+v", e.Name, got, lerr, e)
		}
		if e.Kind == EntryDir && depth < 4 {
			fuzzDir(t, e.Dir, depth+1)
		}
	}
}
