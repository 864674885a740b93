package zpickle

import (
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// benchRecords are typical records of small.fs: a mapping that refers to
// other objects, a tree node of references, a bucket of plain keys and
// values, and an object of a few attributes.
func benchRecords(b *testing.B) map[string][]byte {
	want := map[string]string{
		"PersistentMapping": "0000000000000000@03f5945da76c6b33",
		"OOBTree":           "0000000000000001@03f5945df50e3733",
		"OOBucket":          "0000000000000004@03f5945b29d60e88",
		"Item":              "0000000000000014@03f5945be8675044",
	}
	recs := map[string][]byte{}
	for _, r := range loadDump(b, filepath.Join(testdata, "fs1/small/small.zdump.raw")) {
		for name, xid := range want {
			if r.oid.String()+"@"+r.tid.String() == xid {
				recs[name] = r.data
			}
		}
	}
	if len(recs) != len(want) {
		b.Fatalf("found %d of %d records", len(recs), len(want))
	}
	return recs
}

func BenchmarkClassOf(b *testing.B) {
	for name, data := range benchRecords(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := ClassOf(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRefs(b *testing.B) {
	for name, data := range benchRecords(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var oids []zodb.Oid
			for b.Loop() {
				var err error
				if oids, err = Refs(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(oids)), "refs")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for name, data := range benchRecords(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
