package client_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/client"
	"github.com/zodbneo/zodbneo/zodb"
)

// benchSetup commits n objects of size bytes to a fresh cluster and
// returns a client without cache (every load is cold: one AskObject)
// and the oids.
func benchSetup(b *testing.B, n, size int) (*client.Client, []zodb.Oid) {
	c := newTestCluster(b, clusterOpt{})
	w := openClient(b, c.url())
	ctx := context.Background()
	txn, err := w.Begin(ctx, zodb.TxnMeta{})
	if err != nil {
		b.Fatal(err)
	}
	oids := make([]zodb.Oid, n)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7) // not very compressible
	}
	for i := range oids {
		if oids[i], err = w.NewOid(ctx); err != nil {
			b.Fatal(err)
		}
		if err := txn.Store(ctx, oids[i], 0, data); err != nil {
			b.Fatal(err)
		}
	}
	if err := txn.Vote(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := txn.Finish(ctx); err != nil {
		b.Fatal(err)
	}
	r := openClient(b, c.url()+"?cache-size=0")
	if _, err := r.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	return r, oids
}

// percentiles reports p50 and p99 of the durations, in µs.
func percentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds())/1e3, "p50-us")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds())/1e3, "p99-us")
}

// BenchmarkLoadCold: one client loading serially, every load from the
// storage (no cache).
func BenchmarkLoadCold(b *testing.B) {
	r, oids := benchSetup(b, 1000, 200)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, _, err := r.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oids[i%len(oids)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	percentiles(b, lat)
}

// BenchmarkLoadCold64: 64 goroutines loading at once through one client.
func BenchmarkLoadCold64(b *testing.B) {
	r, oids := benchSetup(b, 1000, 200)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + 63) / 64
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				if _, _, err := r.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oids[(g*per+i)%len(oids)]}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkLoadCached: loads served by the client cache.
func BenchmarkLoadCached(b *testing.B) {
	c := newTestCluster(b, clusterOpt{})
	w := openClient(b, c.url())
	ctx := context.Background()
	oid, err := w.NewOid(ctx)
	if err != nil {
		b.Fatal(err)
	}
	commitOne(b, w, oid, 0, "some data of an object")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := w.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommit1: one-object commits, one after the other.
func BenchmarkCommit1(b *testing.B) {
	c := newTestCluster(b, clusterOpt{})
	w := openClient(b, c.url())
	ctx := context.Background()
	oid, err := w.NewOid(ctx)
	if err != nil {
		b.Fatal(err)
	}
	serial := commitOne(b, w, oid, 0, "0")
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		serial = commitOne(b, w, oid, serial, "some data of an object")
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	percentiles(b, lat)
}

// BenchmarkCommitParallel: 16 goroutines committing one object each,
// through one client (commit throughput).
func BenchmarkCommitParallel(b *testing.B) {
	c := newTestCluster(b, clusterOpt{})
	w := openClient(b, c.url())
	ctx := context.Background()
	const workers = 16
	oids := make([]zodb.Oid, workers)
	serials := make([]zodb.Tid, workers)
	for i := range oids {
		var err error
		if oids[i], err = w.NewOid(ctx); err != nil {
			b.Fatal(err)
		}
		serials[i] = commitOne(b, w, oids[i], 0, "0")
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + workers - 1) / workers
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				tid, err := tryCommitOne(w, oids[g], serials[g], "some data of an object")
				if err != nil {
					b.Error(err)
					return
				}
				serials[g] = tid
			}
		}()
	}
	wg.Wait()
}
