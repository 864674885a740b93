package tools

import (
	"bytes"
	"context"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestDumpProgress checks that progress reports grow to a last one that
// says the whole range is done.
func TestDumpProgress(t *testing.T) {
	stor := openReadOnly(t, "../testdata/fs1/small/small.fs")
	var reports [][2]int64
	opt := &DumpOptions{Progress: func(done, total int64) {
		reports = append(reports, [2]int64{done, total})
	}}
	if err := Dump(context.Background(), &bytes.Buffer{}, stor, 0, zodb.TidMax, opt); err != nil {
		t.Fatal(err)
	}
	if len(reports) < 2 {
		t.Fatalf("%d progress reports, want at least 2", len(reports))
	}
	last := reports[len(reports)-1]
	if last[0] != last[1] || last[1] <= 0 {
		t.Errorf("last report %v, want done == total > 0", last)
	}
	for i := 1; i < len(reports); i++ {
		if reports[i][0] < reports[i-1][0] || reports[i][1] != last[1] {
			t.Errorf("reports go backwards or change their total: %v", reports)
			break
		}
	}
}
