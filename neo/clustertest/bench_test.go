package clustertest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// The benchmarks run a client against a one-storage cluster over
// loopback. Their floor is the link layer's round trip: see neo/link's
// BenchmarkAskPing1 and BenchmarkTCPPingPong (go test -bench . ./neo/link).

const benchObjects = 1000

// benchCluster starts a cluster and fills it with benchObjects objects of
// 100 bytes, returning a fresh client and their oids and serial.
func benchCluster(b *testing.B) (zodb.Writer, []zodb.Oid, zodb.Tid) {
	c := startCluster(b, simple.Options{})
	w := open(b, c.URL())
	oids := newOids(b, w, benchObjects)
	objs := map[zodb.Oid][]byte{}
	for i, oid := range oids {
		objs[oid] = []byte(fmt.Sprintf("%-100d", i))
	}
	tid := commit(b, w, "fill", objs, nil)
	return open(b, coldURL(c.URL())), oids, tid
}

// BenchmarkLoad is one client loading serially, each load a different
// object (cold: the cache never holds it), and reports p50/p99.
func BenchmarkLoad(b *testing.B) {
	r, oids, tid := benchCluster(b)
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, _, err := r.Load(bg, zodb.Xid{Oid: oids[i%len(oids)], At: tid}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkLoad64 is 64 goroutines of one client loading at once: the
// time per load is the inverse of the throughput.
func BenchmarkLoad64(b *testing.B) {
	r, oids, tid := benchCluster(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if _, _, err := r.Load(bg, zodb.Xid{Oid: oids[i%int64(len(oids))], At: tid}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkCommit is one client committing serially a change of one
// object, and reports p50/p99.
func BenchmarkCommit(b *testing.B) {
	w, oids, tid := benchCluster(b)
	oid, serial := oids[0], tid
	data := []byte(fmt.Sprintf("%-100s", "changed"))
	lat := make(latencies, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		tid, err := tryCommit(w, "bench", map[zodb.Oid][]byte{oid: data}, map[zodb.Oid]zodb.Tid{oid: serial})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		serial = tid
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkCommit16 is 16 goroutines of one client each committing
// changes of its own object: the time per commit is the inverse of the
// throughput.
func BenchmarkCommit16(b *testing.B) {
	w, oids, tid := benchCluster(b)
	data := []byte(fmt.Sprintf("%-100s", "changed"))
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(oid zodb.Oid) {
			defer wg.Done()
			serial := tid
			for next.Add(1) <= int64(b.N) {
				tid, err := tryCommit(w, "bench", map[zodb.Oid][]byte{oid: data}, map[zodb.Oid]zodb.Tid{oid: serial})
				if err != nil {
					b.Error(err)
					return
				}
				serial = tid
			}
		}(oids[g])
	}
	wg.Wait()
}

// coldURL turns off the client cache (NEO/py's cache-size=0) so that
// every load goes to a storage.
func coldURL(url string) string { return url + "?cache-size=0" }
