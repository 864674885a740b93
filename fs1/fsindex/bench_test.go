package fsindex

import (
	"bytes"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

const benchN = 1000000

// benchIndex returns an index of benchN oids with positions like a real
// FileStorage's: increasing, a few hundred bytes apart.
func benchIndex() *Index {
	x := New()
	for i := 0; i < benchN; i++ {
		x.Set(zodb.Oid(i), int64(i)*300+4)
	}
	x.TopPos = benchN*300 + 4
	return x
}

func BenchmarkGet(b *testing.B) {
	x := benchIndex()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A stride spreads lookups over the whole tree.
		if _, ok := x.Get(zodb.Oid(uint64(i) * 7919 % benchN)); !ok {
			b.Fatal("missing oid")
		}
	}
}

func BenchmarkSet(b *testing.B) {
	x := benchIndex()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Set(zodb.Oid(uint64(i)*7919%(2*benchN)), int64(i))
	}
}

func BenchmarkSave(b *testing.B) {
	x := benchIndex()
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := x.Save(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkLoad(b *testing.B) {
	var buf bytes.Buffer
	if err := benchIndex().Save(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
