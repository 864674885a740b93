package fs1

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// benchWriter opens a new FileStorage for a write benchmark.
func benchWriter(b *testing.B, sync SyncMode) *FileStorage {
	b.Helper()
	fs, err := OpenWith(ctx, filepath.Join(b.TempDir(), "data.fs"), &Options{Sync: sync, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return fs
}

// BenchmarkCommit measures the latency of a commit of 1 and 10 small
// objects (Begin, Store each, Vote, Finish), each a new revision of an
// existing object as an application's commits are, with Python's
// durability (sync=finish: one fdatasync), a second sync at Vote, and no
// sync.
func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{1, 10} {
		for _, sync := range []struct {
			name string
			mode SyncMode
		}{{"finish", SyncFinish}, {"vote", SyncVote}, {"none", SyncNone}} {
			b.Run(fmt.Sprintf("objects=%d/sync=%s", n, sync.name), func(b *testing.B) {
				benchCommit(b, n, sync.mode)
			})
		}
	}
}

func benchCommit(b *testing.B, n int, sync SyncMode) {
	fs := benchWriter(b, sync)
	defer fs.Close()
	data := make([]byte, 120) // a small object's two pickles
	serials := make([]zodb.Tid, n)
	meta := zodb.TxnMeta{User: []byte("bench"), Description: []byte("/app/edit")}
	commit := func() {
		txn, err := fs.Begin(ctx, meta)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if err := txn.Store(ctx, zodb.Oid(i), serials[i], data); err != nil {
				b.Fatal(err)
			}
		}
		if err := txn.Vote(ctx); err != nil {
			b.Fatal(err)
		}
		tid, err := txn.Finish(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for i := range serials {
			serials[i] = tid
		}
	}
	commit() // create the objects
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		commit()
	}
}

// BenchmarkRestore measures the throughput of copying transactions with
// BeginRestore (what zodb restore and convert do): transactions of 100
// records of 100 to 500 bytes, without sync and with Python's.
func BenchmarkRestore(b *testing.B) {
	for _, sync := range []struct {
		name string
		mode SyncMode
	}{{"finish", SyncFinish}, {"none", SyncNone}} {
		b.Run("sync="+sync.name, func(b *testing.B) { benchRestore(b, sync.mode) })
	}
}

func benchRestore(b *testing.B, sync SyncMode) {
	fs := benchWriter(b, sync)
	defer fs.Close()
	rnd := rand.New(rand.NewPCG(1, 1))
	blob := make([]byte, 1<<16)
	for i := range blob {
		blob[i] = byte(rnd.Uint32())
	}
	type rec struct {
		oid  zodb.Oid
		data []byte
	}
	recs := make([]rec, benchTxnSize)
	var size int64
	for i := range recs {
		n := 100 + rnd.IntN(400)
		off := rnd.IntN(len(blob) - n)
		recs[i] = rec{zodb.Oid(i), blob[off : off+n]}
		size += int64(n)
	}
	info := &zodb.TxnInfo{Tid: 0x0300000000000000, User: []byte("bench"), Description: []byte("a restored transaction")}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		info.Tid += 1 << 20
		txn, err := fs.BeginRestore(ctx, info)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			if err := txn.Restore(ctx, r.oid, r.data, 0); err != nil {
				b.Fatal(err)
			}
		}
		if err := txn.Vote(ctx); err != nil {
			b.Fatal(err)
		}
		if err := txn.Finish(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
