package objgraph

import (
	"bytes"
	"fmt"
	"testing"

	ogórek "github.com/kisielk/og-rek"
)

// expValue appends to a pickle being written the opcodes that leave on
// the stack, and in memo slot 32, a call whose argument is, through the
// memo, a tuple of 2^30 leaves: a value of a few hundred bytes whose repr
// is of 2^32 bytes.
func expValue(b []byte) []byte {
	b = append(b, ")q\x01"...)
	for i := 2; i <= 31; i++ {
		b = append(b, 'h', byte(i-1), 'h', byte(i-1), 0x86, 'q', byte(i))
	}
	return append(b, "cdatetime\ndatetime\nh\x1f\x85Rq\x20"...)
}

// expRecord is a record of a few KB whose state is a list of n references
// to that one call.
func expRecord(n int) []byte {
	b := expValue([]byte("\x80\x03czcorpus\nItem\nq\x00.\x80\x03"))
	b = append(b, "0]("...)
	for i := 0; i < n; i++ {
		b = append(b, 'h', 0x20)
	}
	return append(b, "e."...)
}

// expBucket is a bucket of n keys whose values are all that call.
func expBucket(n int) []byte {
	b := expValue([]byte("\x80\x03cBTrees.OOBTree\nOOBucket\nq\x00.\x80\x03"))
	b = append(b, "0("...)
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("k%04d", i)
		b = append(b, 'X', byte(len(k)), 0, 0, 0)
		b = append(b, k...)
		b = append(b, 'h', 0x20)
	}
	return append(b, "t\x85."...)
}

// A record that describes texts of exponential size through its memo: the
// texts of its leaves and its state are cut, and so is the work.
func TestExponentialText(t *testing.T) {
	g := New(mapLoader{0: expRecord(5000)}, 1)
	o := object(t, g, 0)
	text, err := o.StateText()
	if err != nil || len(text) > textBudget+16 || !bytes.HasSuffix(text, []byte("...\n")) {
		t.Errorf("state text of %d bytes, %v", len(text), err)
	}
	e, err := o.Lookup(bg, "state")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range listAll(t, e.Dir) {
		total += len(e.Leaf)
		if len(e.Leaf) > leafReprMax+8 || !bytes.HasSuffix(e.Leaf, []byte("...\n")) {
			t.Fatalf("%s: leaf of %d bytes, %q...", e.Name, len(e.Leaf), e.Leaf[:min(40, len(e.Leaf))])
		}
	}
	if total > dirTextBudget+5000*8+leafReprMax {
		t.Errorf("leaves of %d bytes in all", total)
	}
}

// In a tree, a lookup gives the leaf text the listing gave, the bucket's
// budget spent or not.
func TestExponentialBucket(t *testing.T) {
	db := mapLoader{
		1: record(t, ooBTreeClass, ogórek.Tuple{ogórek.Tuple{ref(2, ooBucketClass)}, ref(2, ooBucketClass)}),
		2: expBucket(300),
	}
	g := New(db, 1)
	o := object(t, g, 1)
	es := listAll(t, o)
	if len(es) != 300 || string(es[299].Leaf) != "...\n" {
		t.Fatalf("%d entries, last leaf %q", len(es), es[len(es)-1].Leaf)
	}
	for _, e := range es {
		got, err := o.Lookup(bg, e.Name)
		if err != nil || !sameEntry(got, e) {
			t.Fatalf("Lookup(%q): %d bytes, %v; listed %d bytes", e.Name, len(got.Leaf), err, len(e.Leaf))
		}
	}
}

// A set of many items that share one huge tuple: sorting it, naming its
// items and writing it are bounded too.
func TestExponentialSet(t *testing.T) {
	b := expValue([]byte("\x80\x03czcorpus\nItem\nq\x00.\x80\x03"))
	b = append(b, "0c__builtin__\nset\n]("...)
	for i := 0; i < 20000; i++ {
		b = append(b, 'h', 31)
	}
	b = append(b, "e\x85R."...)
	g := New(mapLoader{0: b}, 1)
	o := object(t, g, 0)
	if _, err := o.StateText(); err != nil {
		t.Fatal(err)
	}
	e, err := o.Lookup(bg, "state")
	if err != nil || e.Kind != EntryDir {
		t.Fatalf("state: %+v, %v", e, err)
	}
	es := listAll(t, e.Dir)
	if len(es) != 20000 {
		t.Fatalf("%d entries", len(es))
	}
	for _, e := range es[:100] {
		if got, err := e.Dir.Lookup(bg, "0"); err != nil || got.Kind != EntryDir {
			t.Fatalf("%s/0: %+v, %v", e.Name, got, err)
		}
	}
	seen := map[string]bool{}
	for _, e := range es {
		if !validName(e.Name) || seen[e.Name] {
			t.Fatalf("bad or repeated name %q", e.Name)
		}
		seen[e.Name] = true
	}
}
