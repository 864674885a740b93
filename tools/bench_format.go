package tools

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteBenchTable writes rep as a table for people.
func WriteBenchTable(w io.Writer, rep *BenchReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "url      %s\nhead     %s\n", rep.URL, rep.Head)
	if rep.Objects > 0 {
		fmt.Fprintf(w, "objects  %d (%.1f MB of data)\n", rep.Objects, float64(rep.Bytes)/1e6)
	}
	fmt.Fprintln(w)
	// The names read better left-aligned, the figures right-aligned:
	// padding the names to one width does that in a right-aligned table.
	width := len("benchmark")
	for _, r := range rep.Results {
		width = max(width, len(r.Name))
	}
	fmt.Fprintf(tw, "%-*s\tops\ttime\tops/s\tMB/s\tmean\tp50\tp90\tp99\tmax\t\n", width, "benchmark")
	var hashes []string
	for i := range rep.Results {
		r := &rep.Results[i]
		fmt.Fprintf(tw, "%-*s\t%d\t%s\t%.0f\t%.1f\t", width, r.Name, r.Ops, fmtDur(r.Elapsed), r.OpsPerSec(), r.MBPerSec())
		if l := r.Latency; l != nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", fmtDur(l.Mean), fmtDur(l.P50), fmtDur(l.P90), fmtDur(l.P99), fmtDur(l.Max))
		} else {
			fmt.Fprint(tw, "-\t-\t-\t-\t-\t\n")
		}
		switch {
		case r.Hash != "":
			hashes = append(hashes, fmt.Sprintf("%s: %s", r.Name, r.Hash))
		case r.Jobs > 0:
			hashes = append(hashes, fmt.Sprintf("%s: %d goroutines", r.Name, r.Jobs))
		case r.Txns > 0:
			hashes = append(hashes, fmt.Sprintf("%s: %d transactions, ops are records", r.Name, r.Txns))
		case r.Objects > 0:
			hashes = append(hashes, fmt.Sprintf("%s: ops are transactions of %d objects", r.Name, r.Objects))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(hashes) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(hashes, "\n"))
	}
	return nil
}

// fmtDur rounds d to three significant digits or so.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= 10*time.Microsecond:
		return d.Round(100 * time.Nanosecond).String()
	}
	return d.String()
}

// WriteBenchGo writes rep in Go's benchmark format, one line per result,
// so that benchstat compares two runs: ns/op and MB/s, and the latency
// percentiles in the units p50-ns, p90-ns, p99-ns and max-ns.
func WriteBenchGo(w io.Writer, rep *BenchReport) error {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: zodb bench %s\n", runtime.GOOS, runtime.GOARCH, rep.URL)
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Ops == 0 {
			continue
		}
		fmt.Fprintf(w, "Benchmark%s-%d\t%d\t%.1f ns/op\t%.2f MB/s", goBenchName(r), rep.GoMaxProcs, r.Ops,
			float64(r.Elapsed.Nanoseconds())/float64(r.Ops), r.MBPerSec())
		if l := r.Latency; l != nil {
			fmt.Fprintf(w, "\t%d p50-ns\t%d p90-ns\t%d p99-ns\t%d max-ns", l.P50, l.P90, l.P99, l.Max)
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// goBenchName turns "load-concurrent" into "LoadConcurrent/j8",
// "commit/10" into "Commit/10obj", "load/cold" into "Load/cold".
func goBenchName(r *BenchResult) string {
	base, variant, _ := strings.Cut(r.Name, "/")
	var name strings.Builder
	for _, part := range strings.Split(base, "-") {
		if part != "" {
			name.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	switch {
	case r.Jobs > 0:
		variant = fmt.Sprintf("j%d", r.Jobs)
	case r.Objects > 0:
		variant += "obj"
	}
	if variant != "" {
		name.WriteString("/" + variant)
	}
	return name.String()
}
