package sqlite

import (
	"crypto/sha1"
	"fmt"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// benchDB has nobj objects of 1 KiB with 3 revisions each, over 12
// partitions.
func benchDB(b *testing.B, nobj int) *DB {
	db, _ := newTestDB(b, 12, Options{})
	data := make([]byte, 1024)
	for rev := 1; rev <= 3; rev++ {
		tid := zodb.Tid(rev * 12)
		var objs []backend.TempObject
		for i := 0; i < nobj; i++ {
			data[0], data[1], data[2] = byte(i), byte(i>>8), byte(rev)
			id, err := db.StoreData(sha1.Sum(data), 0, data, zodb.Oid(i))
			if err != nil {
				b.Fatal(err)
			}
			objs = append(objs, backend.TempObject{Oid: zodb.Oid(i), DataID: id, ValueTid: proto.NoTid})
		}
		if err := db.StoreTransaction(tid, objs, &backend.Txn{}); err != nil {
			b.Fatal(err)
		}
		if err := db.LockTransaction(tid, tid); err != nil {
			b.Fatal(err)
		}
		if err := db.UnlockTransaction(tid, tid); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func BenchmarkObject(b *testing.B) {
	const nobj = 1000
	db := benchDB(b, nobj)
	for _, c := range []struct {
		name       string
		at, before zodb.Tid
	}{
		{"current", proto.NoTid, proto.NoTid},
		{"at", 24, proto.NoTid},
		{"before", proto.NoTid, 36},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := db.Object(zodb.Oid(i%nobj), c.at, c.before); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(32) // 64 concurrent loads on 2 cores
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := db.Object(zodb.Oid(i%nobj), proto.NoTid, proto.NoTid); err != nil {
					b.Error(err)
					return
				}
				i += 7
			}
		})
	})
}

// BenchmarkCommit is a storage's share of a commit: store the data, vote
// (tobj/ttrans), lock (durable), unlock.
func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			db, _ := newTestDB(b, 12, Options{})
			data := make([]byte, 1024)
			objs := make([]backend.TempObject, n)
			oids := make([]zodb.Oid, n)
			tid := zodb.Tid(1 << 40)
			b.ReportAllocs()
			for b.Loop() {
				tid += 12
				for i := range objs {
					data[0], data[1], data[8] = byte(i), byte(i>>8), byte(tid>>2)
					oid := zodb.Oid(i)
					id, err := db.StoreData(sha1.Sum(data), 0, data, oid)
					if err != nil {
						b.Fatal(err)
					}
					objs[i] = backend.TempObject{Oid: oid, DataID: id, ValueTid: proto.NoTid}
					oids[i] = oid
				}
				// The vote does not commit: the lock does, durably (as
				// neo/storage does it).
				if err := db.StoreTransaction(tid, objs, &backend.Txn{Oids: oids}); err != nil {
					b.Fatal(err)
				}
				if err := db.LockTransaction(tid, tid); err != nil {
					b.Fatal(err)
				}
				if err := db.UnlockTransaction(tid, tid); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
