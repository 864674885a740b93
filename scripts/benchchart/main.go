// Command benchchart draws the load latency percentiles of `zodb bench
// --json` runs as one PNG chart, a line per storage and kind of load, on
// a log scale: how docs/bench-latency.png in BENCHMARKS.md is made.
//
// Usage:
//
//	go run ./scripts/benchchart -o docs/bench-latency.png fs1=fs1.json neo1=neo1.json ...
//
// Each argument is LABEL=FILE, FILE being the output of `zodb bench
// --json` (or --json-file). The results drawn are -results (default
// load/cold,load/warm,load-concurrent): those with latencies.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/zodbneo/zodbneo/tools"
)

// percentiles are the points of each line, left to right.
var percentiles = []struct {
	label string
	get   func(*tools.Latency) time.Duration
}{
	{"p50", func(l *tools.Latency) time.Duration { return l.P50 }},
	{"p90", func(l *tools.Latency) time.Duration { return l.P90 }},
	{"p99", func(l *tools.Latency) time.Duration { return l.P99 }},
	{"p99.9", func(l *tools.Latency) time.Duration { return l.P999 }},
	{"max", func(l *tools.Latency) time.Duration { return l.Max }},
}

func main() {
	out := flag.String("o", "bench-latency.png", "the PNG file to write")
	results := flag.String("results", "load/cold,load/warm,load-concurrent", "the results to draw, comma-separated")
	title := flag.String("title", "zodb bench: load latency percentiles", "the chart's title")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchchart [-o out.png] [-results names] LABEL=FILE.json...")
		os.Exit(2)
	}
	if err := run(*out, *title, strings.Split(*results, ","), flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchchart:", err)
		os.Exit(1)
	}
}

func run(out, title string, results, args []string) error {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "latency (µs, log scale)"
	p.X.Label.Text = "percentile"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	// Bottom right: where the fast storage's lines have not got to yet.
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	labels := make([]string, len(percentiles))
	for i, pc := range percentiles {
		labels[i] = pc.label
	}
	p.NominalX(labels...)

	line := 0
	for si, arg := range args {
		label, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("%q: want LABEL=FILE", arg)
		}
		rep, err := readReport(file)
		if err != nil {
			return err
		}
		for ri, name := range results {
			r := find(rep, name)
			if r == nil || r.Latency == nil {
				continue
			}
			if err := addLine(p, label+" "+name, r.Latency, plotutil.Color(si), ri); err != nil {
				return err
			}
			line++
		}
	}
	if line == 0 {
		return fmt.Errorf("no result named %s in the files", strings.Join(results, " or "))
	}
	return p.Save(9*vg.Inch, 6*vg.Inch, out)
}

// addLine draws one result: the storage gives the colour, the result the
// dashes and glyphs.
func addLine(p *plot.Plot, name string, l *tools.Latency, c color.Color, style int) error {
	xys := make(plotter.XYs, len(percentiles))
	for i, pc := range percentiles {
		us := float64(pc.get(l)) / float64(time.Microsecond)
		xys[i] = plotter.XY{X: float64(i), Y: max(us, 0.01)} // a log scale needs > 0
	}
	ln, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	ln.Color, pts.Color = c, c
	ln.Dashes = plotutil.Dashes(style)
	pts.Shape = plotutil.Shape(style)
	p.Add(ln, pts)
	p.Legend.Add(name, ln, pts)
	return nil
}

func readReport(path string) (*tools.BenchReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep tools.BenchReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s: not a zodb bench --json output: %w", path, err)
	}
	return &rep, nil
}

func find(rep *tools.BenchReport, name string) *tools.BenchResult {
	for i := range rep.Results {
		if rep.Results[i].Name == name {
			return &rep.Results[i]
		}
	}
	return nil
}
