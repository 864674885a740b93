package tools

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestBenchLatency(t *testing.T) {
	lat := make([]time.Duration, 1000)
	for i := range lat {
		lat[len(lat)-1-i] = time.Duration(i+1) * time.Microsecond // reversed: newLatency sorts
	}
	l := newLatency(lat)
	want := Latency{Mean: 500500 * time.Nanosecond, P50: 500 * time.Microsecond, P90: 900 * time.Microsecond,
		P99: 990 * time.Microsecond, P999: 999 * time.Microsecond, Max: time.Millisecond}
	if *l != want {
		t.Errorf("got %+v, want %+v", *l, want)
	}
	if one := newLatency([]time.Duration{7}); one.P50 != 7 || one.P999 != 7 || one.Max != 7 {
		t.Errorf("one value: %+v", *one)
	}
	if newLatency(nil) != nil {
		t.Error("no value: not nil")
	}
}

func TestBenchNoCacheURL(t *testing.T) {
	for in, want := range map[string]string{
		"data.fs":                          "data.fs",
		"file:///tmp/data.fs":              "file:///tmp/data.fs",
		"neo://c@127.0.0.1:1":              "neo://c@127.0.0.1:1?cache-size=0",
		"neo://c@h:1?cache_size=1GB&x=y":   "neo://c@h:1?cache-size=0&x=y",
		"neos://c@h:1?ca=a&cache-size=1MB": "neos://c@h:1?ca=a&cache-size=0",
	} {
		if got := noCacheURL(in); got != want {
			t.Errorf("noCacheURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBenchBadOptions(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		opt  BenchOptions
		want string
	}{
		{BenchOptions{Benches: []string{"load", "bogus"}}, `unknown benchmark "bogus"`},
		{BenchOptions{Benches: []string{BenchCommit}}, "needs the commit option"},
	} {
		_, err := Bench(ctx, "nonexistent.fs", &tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.opt, err, tc.want)
		}
	}
}
