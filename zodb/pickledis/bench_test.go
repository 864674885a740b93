package pickledis

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// typicalRecord is the object record of median size in small.fs, written
// by Python 3 ZODB (355 bytes: a BTree bucket of strings and ints).
func typicalRecord(b *testing.B) []byte {
	raw, err := os.ReadFile(filepath.Join(testdata, "fs1/small/small.zdump.raw"))
	if err != nil {
		b.Fatal(err)
	}
	items, err := parseRawDump(raw)
	if err != nil {
		b.Fatal(err)
	}
	var pv [][]byte
	for _, it := range items {
		if it.hasData {
			pv = append(pv, it.data)
		}
	}
	sort.Slice(pv, func(i, j int) bool { return len(pv[i]) < len(pv[j]) })
	return pv[len(pv)/2]
}

// BenchmarkDis disassembles a record's class and state pickles.
func BenchmarkDis(b *testing.B) {
	data := typicalRecord(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		memo := &Memo{}
		n, err := Dis(io.Discard, data, Options{Memo: memo})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Dis(io.Discard, data[n:], Options{Memo: memo, Offset: n}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDumpObject(b *testing.B) {
	data := typicalRecord(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := DumpObject(io.Discard, data); err != nil {
			b.Fatal(err)
		}
	}
}
