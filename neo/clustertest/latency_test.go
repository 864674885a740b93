package clustertest

import (
	"sort"
	"testing"
	"time"
)

// latencies collects the duration of each operation of a benchmark so it
// can report percentiles beside the mean ns/op go test prints.
type latencies []time.Duration

// report adds p50 and p99, in microseconds, to the benchmark's result line.
func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	at := func(q float64) float64 {
		i := int(q * float64(len(l)-1))
		return float64(l[i].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-us")
	b.ReportMetric(at(0.99), "p99-us")
}
