package objgraph

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

var bg = context.Background()

const smallFS = "../../testdata/fs1/small/small.fs"

// Tids of small.fs, from small.gen.json.
const (
	smallT01 zodb.Tid = 0x03f5945b29d60e88 // OOBTree of 300 keys
	smallT05 zodb.Tid = 0x03f5945df50e3733 // OOBTree churn
)

func openFS(t testing.TB, path string) *fs1.FileStorage {
	t.Helper()
	s, err := fs1.Open(bg, path, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// headGraph is the graph of a FileStorage at its head.
func headGraph(t testing.TB, path string) *Graph {
	s := openFS(t, path)
	return New(s, s.Head())
}

// mapLoader is a database of one state, made in the test: oid → record.
type mapLoader map[zodb.Oid][]byte

func (m mapLoader) Load(ctx context.Context, xid zodb.Xid) ([]byte, zodb.Tid, error) {
	d, ok := m[xid.Oid]
	if !ok {
		return nil, 0, &zodb.NoObjectError{Oid: xid.Oid}
	}
	return bytes.Clone(d), 1, nil
}

// record pickles an object record as ZODB writes one: the class, then the
// state, protocol 3.
func record(t testing.TB, class ogórek.Class, state any) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, v := range []any{class, state} {
		e := ogórek.NewEncoderWithConfig(&b, &ogórek.EncoderConfig{Protocol: 3})
		if err := e.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// ref is a persistent reference with class, (oid, class).
func ref(oid zodb.Oid, class ogórek.Class) ogórek.Ref {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(oid))
	return ogórek.Ref{Pid: ogórek.Tuple{ogórek.Bytes(b[:]), class}}
}

func cls(module, name string) ogórek.Class { return ogórek.Class{Module: module, Name: name} }

var (
	pmClass       = cls("persistent.mapping", "PersistentMapping")
	ooBTreeClass  = cls("BTrees.OOBTree", "OOBTree")
	ooBucketClass = cls("BTrees.OOBTree", "OOBucket")
)

// dict makes an ogórek.Dict of k0, v0, k1, v1...
func dict(kv ...any) ogórek.Dict { return ogórek.NewDictWithData(kv...) }

// listAll returns every entry of a directory, failing the test on an error.
func listAll(t testing.TB, d Dir) []Entry {
	t.Helper()
	es, err := listErr(d)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func listErr(d Dir) ([]Entry, error) {
	var es []Entry
	it := d.Entries(bg)
	for it.Next() {
		es = append(es, it.Entry())
	}
	return es, it.Err()
}

func names(es []Entry) []string {
	ns := make([]string, len(es))
	for i, e := range es {
		ns[i] = e.Name
	}
	return ns
}

// object returns an object that must load and decode.
func object(t testing.TB, g *Graph, oid zodb.Oid) *Object {
	t.Helper()
	o, err := g.Object(bg, oid)
	if err != nil {
		t.Fatal(err)
	}
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	return o
}

// walk follows names from the root and returns the entry, failing the
// test on an error.
func walk(t testing.TB, g *Graph, names ...string) Entry {
	t.Helper()
	e, err := g.Walk(bg, names...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
