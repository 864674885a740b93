package tools

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// sortedClasses returns the classes by total bytes, ties in first-seen
// order, as zodbtools sorts them.
func (r *AnalyzeReport) sortedClasses() []ClassUsage {
	cs := append([]ClassUsage(nil), r.Classes...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Bytes < cs[j].Bytes })
	return cs
}

// ratio is a/b, or 0 when b is 0 where zodbtools would divide by zero and
// crash (a range of only empty transactions, or only deletions).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// WriteCSV writes the report as `zodb analyze --csv` does: a header line,
// then one line per class.
func (r *AnalyzeReport) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "Class Name,T.Count,T.Bytes,Pct,AvgSize,C.Count,C.Bytes,O.Count,O.Bytes")
	for _, c := range r.sortedClasses() {
		fmt.Fprintf(bw, "%s,%d,%d,%f%%,%f,%d,%d,%d,%d\n", c.Class, c.Records, c.Bytes,
			ratio(float64(c.Bytes)*100, float64(r.Bytes)), ratio(float64(c.Bytes), float64(c.Records)),
			c.Current, c.CurBytes, c.Old, c.OldBytes)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("tools: analyze: %w", err)
	}
	return nil
}

// WriteText writes the report as `zodb analyze` does: totals, a table of
// classes, and a summary.
func (r *AnalyzeReport) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if r.Txns == 0 {
		fmt.Fprint(bw, "# ø\nNo transactions processed\n")
	} else {
		r.writeText(bw)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("tools: analyze: %w", err)
	}
	return nil
}

const (
	analyzeHeadFmt  = "%-46s %7s %9s %6s %7s %7s %9s %7s %9s\n"
	analyzeClassFmt = "%-46s %7d %9d %5.1f%% %7.2f %7d %9d %7d %9d\n"
	analyzeSumFmt   = "%46s %7d %8dk %5.1f%% %7.2f\n"
)

func (r *AnalyzeReport) writeText(w io.Writer) {
	bytes := float64(r.Bytes)
	fmt.Fprintf(w, "# %s..%s\n", r.TidMin, r.TidMax)
	fmt.Fprintf(w, "Processed %d records in %d transactions\n", r.Records, r.Txns)
	fmt.Fprintf(w, "Average record size is %7.2f bytes\n", ratio(bytes, float64(r.Records)))
	fmt.Fprintf(w, "Average transaction size is %7.2f bytes\n", ratio(bytes, float64(r.Txns)))
	fmt.Fprintln(w, "Types used:")
	fmt.Fprintf(w, analyzeHeadFmt, "Class Name", "T.Count", "T.Bytes", "Pct", "AvgSize",
		"C.Count", "C.Bytes", "O.Count", "O.Bytes")
	fmt.Fprintf(w, analyzeHeadFmt, rule('-', 46), rule('-', 7), rule('-', 9), rule('-', 5), rule('-', 7),
		rule('-', 7), rule('-', 9), rule('-', 7), rule('-', 9))
	cumPct := 0.0
	for _, c := range r.sortedClasses() {
		pct := ratio(float64(c.Bytes)*100, bytes)
		cumPct += pct
		fmt.Fprintf(w, analyzeClassFmt, shortenClass(c.Class, 46), c.Records, c.Bytes,
			pct, ratio(float64(c.Bytes), float64(c.Records)),
			c.Current, c.CurBytes, c.Old, c.OldBytes)
	}
	fmt.Fprintf(w, analyzeHeadFmt, rule('=', 46), rule('=', 7), rule('=', 9), rule('=', 5), rule('=', 7),
		rule('=', 7), rule('=', 9), rule('=', 7), rule('=', 9))
	fmt.Fprintf(w, "%46s %7d %9s %6s %6.2fk\n", "Total Transactions", r.Txns, " ", " ",
		ratio(bytes, float64(r.Txns))/1024)
	// zodbtools formats kilobytes with %d, which truncates.
	fmt.Fprintf(w, analyzeSumFmt, "Total Records", r.Records, int64(bytes/1024), cumPct,
		ratio(bytes, float64(r.Records)))
	fmt.Fprintf(w, analyzeSumFmt, "Current Objects", r.Current, int64(float64(r.CurBytes)/1024),
		ratio(float64(r.CurBytes)*100, bytes), ratio(float64(r.CurBytes), float64(r.Current)))
	if r.Old != 0 {
		fmt.Fprintf(w, analyzeSumFmt, "Old Objects", r.Old, int64(float64(r.OldBytes)/1024),
			ratio(float64(r.OldBytes)*100, bytes), ratio(float64(r.OldBytes), float64(r.Old)))
	}
}

func rule(c byte, n int) string { return strings.Repeat(string(c), n) }

// shortenClass shortens a class name to at most n characters as zodbtools
// does: leading dotted components are dropped for "...", and a name with
// no dot left keeps its last n characters.
func shortenClass(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	for len(rs)+3 > n {
		i := indexRune(rs, '.')
		if i < 0 {
			// the last n characters, or all of a name already shorter
			// (which "..." would have made too long)
			return string(rs[max(0, len(rs)-n):])
		}
		rs = rs[i+1:]
	}
	return "..." + string(rs)
}

func indexRune(rs []rune, r rune) int {
	for i, c := range rs {
		if c == r {
			return i
		}
	}
	return -1
}
