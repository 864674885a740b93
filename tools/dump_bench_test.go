package tools

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// genStorage makes an in-memory storage of ntxn transactions of nobj
// objects of about size bytes each, oids out of order within transactions.
func genStorage(ntxn, nobj, size int) (*memStorage, int64) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &memStorage{}
	var total int64
	for i := range ntxn {
		t := memTxn{info: zodb.TxnInfo{Tid: zodb.Tid(0x0285cbac258bf266 + i), Status: ' ',
			User: []byte("user"), Description: []byte(fmt.Sprintf("txn %d", i))}}
		for j := range nobj {
			data := make([]byte, size/2+rng.IntN(size))
			for k := range data {
				data[k] = byte(rng.Uint32())
			}
			total += int64(len(data))
			t.recs = append(t.recs, zodb.DataInfo{Oid: zodb.Oid((j*7919 + i) % 100000), Data: data})
		}
		s.txns = append(s.txns, t)
	}
	return s, total
}

// BenchmarkDump measures dump throughput over object data (MB/s), raw and
// hashonly, on generated data.
func BenchmarkDump(b *testing.B) {
	stor, total := genStorage(1000, 20, 1024)
	for _, hashOnly := range []bool{false, true} {
		b.Run(fmt.Sprintf("hashonly=%v", hashOnly), func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				if err := Dump(context.Background(), io.Discard, stor, 0, zodb.TidMax, &DumpOptions{HashOnly: hashOnly}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDumpFS1 measures dump throughput on small.fs through the fs1
// driver, over the file's size.
func BenchmarkDumpFS1(b *testing.B) {
	path := copyStorage(b, filepath.Join(testdata, "fs1", "small", "small.fs"))
	stor, err := zodb.Open(context.Background(), path, &zodb.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer stor.Close()
	b.SetBytes(stor.Size())
	b.ReportAllocs()
	for b.Loop() {
		if err := Dump(context.Background(), io.Discard, stor, 0, zodb.TidMax, nil); err != nil {
			b.Fatal(err)
		}
	}
}
