package mount

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// benchObjects is the size of the benchmarks' database.
const benchObjects = 100_000

// makeBigDB writes a FileStorage of benchObjects objects in 10 transactions
// with fs1's Writer, each a copy of small.fs's PersistentMapping 0x2, and
// returns its path and the tids of its transactions.
func makeBigDB(b *testing.B) (string, []zodb.Tid) {
	b.Helper()
	ctx := context.Background()
	small := openStor(b, smallFS)
	data, _, err := small.Load(ctx, zodb.Xid{At: small.Head(), Oid: 2})
	if err != nil {
		b.Fatal(err)
	}
	path := b.TempDir() + "/big.fs"
	w, err := fs1.OpenWith(ctx, path, &fs1.Options{Sync: fs1.SyncNone})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var tids []zodb.Tid
	for n := 0; n < benchObjects; {
		txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("bench")})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < benchObjects/10; i++ {
			oid, err := w.NewOid(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if err := txn.Store(ctx, oid, 0, data); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := txn.Vote(ctx); err != nil {
			b.Fatal(err)
		}
		tid, err := txn.Finish(ctx)
		if err != nil {
			b.Fatal(err)
		}
		tids = append(tids, tid)
	}
	return path, tids
}

// BenchmarkListOid lists oid/ of a 100,000-object database through the
// mount: at head (from the index alone) and at the first transaction
// (each oid checked, 10,000 listed).
func BenchmarkListOid(b *testing.B) {
	path, tids := makeBigDB(b)
	dir, _, _ := mountFile(b, path, nil)
	for _, bc := range []struct {
		name string
		at   zodb.Tid
		want int
	}{{"head", tids[len(tids)-1], benchObjects}, {"first", tids[0], benchObjects / 10}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				d, err := os.Open(fmt.Sprintf("%s/@%s/oid", dir, bc.at))
				if err != nil {
					b.Fatal(err)
				}
				names, err := d.Readdirnames(-1)
				d.Close()
				if err != nil || len(names) != bc.want {
					b.Fatalf("%d entries, %v", len(names), err)
				}
			}
		})
	}
}

// BenchmarkReadStates reads oid/<oid>/state of every object of a
// 100,000-object database through a fresh mount.
func BenchmarkReadStates(b *testing.B) {
	path, tids := makeBigDB(b)
	stor := openStor(b, path)
	at := tids[len(tids)-1]
	for b.Loop() {
		b.StopTimer()
		dir := mountFS(b, newFS(b, stor, nil))
		b.StartTimer()
		for oid := zodb.Oid(1); oid <= benchObjects; oid++ {
			st, err := os.ReadFile(fmt.Sprintf("%s/@%s/oid/%s/state", dir, at, oid))
			if err != nil || len(st) == 0 {
				b.Fatal(oid, err)
			}
		}
	}
}

// BenchmarkModelListOid lists oid/ with the model alone, no FUSE.
func BenchmarkModelListOid(b *testing.B) {
	path, tids := makeBigDB(b)
	f := newFS(b, openStor(b, path), nil)
	ctx := context.Background()
	for _, at := range []zodb.Tid{tids[len(tids)-1], tids[0]} {
		b.Run(at.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l, err := (&oidDirV{s: f.snap(at)}).list(ctx)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, ok, err := l.next(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					n++
				}
				l.close()
			}
		})
	}
}

// BenchmarkModelStateText renders the state file of one object.
func BenchmarkModelStateText(b *testing.B) {
	stor := openStor(b, smallFS)
	f := newFS(b, stor, nil)
	ctx := context.Background()
	s := f.snap(stor.Head())
	rev, err := s.obj(ctx, 2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.stateText(ctx, rev); err != nil {
			b.Fatal(err)
		}
	}
}
