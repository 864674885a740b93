package tools

import (
	"slices"
	"time"
)

// Latency summarises the latencies of many operations.
type Latency struct {
	Mean time.Duration `json:"mean_ns"`
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	P999 time.Duration `json:"p999_ns"` // p99.9
	Max  time.Duration `json:"max_ns"`
}

// newLatency summarises lat (which it sorts); nil for no operation.
func newLatency(lat []time.Duration) *Latency {
	if len(lat) == 0 {
		return nil
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	// Nearest rank: the smallest value with at least p of the values at or
	// below it; p is in thousandths.
	rank := func(p int) time.Duration {
		i := (len(lat)*p + 999) / 1000
		return lat[max(i-1, 0)]
	}
	return &Latency{Mean: sum / time.Duration(len(lat)), P50: rank(500), P90: rank(900), P99: rank(990),
		P999: rank(999), Max: lat[len(lat)-1]}
}
