package tools

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// record returns an object record of class module.name whose state pickle
// makes it size bytes long.
func record(module, name string, size int) []byte {
	class := "c" + module + "\n" + name + "\n."
	pad := size - len(class) - 2
	return []byte(class + "S" + strings.Repeat("x", pad) + ".")
}

func TestAnalyzeUnit(t *testing.T) {
	stor := &memStorage{txns: []memTxn{
		{info: zodb.TxnInfo{Tid: 1}, recs: []zodb.DataInfo{
			{Oid: 1, Data: record("m", "A", 100)},
			{Oid: 2, Data: record("m", "B", 50)},
			{Oid: 3, Data: []byte("c-not-a-global")}, // class unreadable
		}},
		{info: zodb.TxnInfo{Tid: 2}, recs: []zodb.DataInfo{
			{Oid: 1, Data: record("m", "A", 120)},
			{Oid: 2}, // deleted: counted as a record, its size kept
		}},
		{info: zodb.TxnInfo{Tid: 3}},
	}}
	var warned []error
	rep, err := Analyze(context.Background(), stor, 0, zodb.TidMax,
		&AnalyzeOptions{Warn: func(err error) { warned = append(warned, err) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0].Error(), "oid 0000000000000003") {
		t.Errorf("warned %v, want one warning about oid 3", warned)
	}
	want := AnalyzeReport{TidMin: 1, TidMax: 3, Txns: 3, Records: 5, Bytes: 100 + 50 + 14 + 120,
		Current: 2, CurBytes: 120 + 50, Old: 1, OldBytes: 100,
		Classes: []ClassUsage{
			{Class: "m.A", Records: 2, Bytes: 220, Current: 1, CurBytes: 120, Old: 1, OldBytes: 100},
			{Class: "m.B", Records: 1, Bytes: 50, Current: 1, CurBytes: 50},
		}}
	if got := *rep; !equalReports(got, want) {
		t.Errorf("report:\n%+v\nwant:\n%+v", got, want)
	}

	var csv bytes.Buffer
	if err := rep.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	wantCSV := "Class Name,T.Count,T.Bytes,Pct,AvgSize,C.Count,C.Bytes,O.Count,O.Bytes\n" +
		"m.B,1,50,17.605634%,50.000000,1,50,0,0\n" +
		"m.A,2,220,77.464789%,110.000000,1,120,1,100\n"
	if csv.String() != wantCSV {
		t.Errorf("csv:\n%s\nwant:\n%s", csv.String(), wantCSV)
	}
}

func equalReports(a, b AnalyzeReport) bool {
	if len(a.Classes) != len(b.Classes) {
		return false
	}
	for i := range a.Classes {
		if a.Classes[i] != b.Classes[i] {
			return false
		}
	}
	a.Classes, b.Classes = nil, nil
	return a.TidMin == b.TidMin && a.TidMax == b.TidMax && a.Txns == b.Txns && a.Records == b.Records &&
		a.Bytes == b.Bytes && a.Current == b.Current && a.CurBytes == b.CurBytes && a.Old == b.Old && a.OldBytes == b.OldBytes
}

// TestAnalyzeNoRecords: zodbtools divides by zero on a range of empty
// transactions; we print zeros.
func TestAnalyzeNoRecords(t *testing.T) {
	stor := &memStorage{txns: []memTxn{{info: zodb.TxnInfo{Tid: 0x10}}}}
	rep, err := Analyze(context.Background(), stor, 0, zodb.TidMax, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# 0000000000000010..0000000000000010\n", "Processed 0 records in 1 transactions\n",
		"Average record size is    0.00 bytes\n", "Total Records       0        0k   0.0%    0.00\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Old Objects") || strings.Contains(out.String(), "NaN") {
		t.Errorf("report:\n%s", out.String())
	}
}

// TestShortenClass: the expected values are what zodbtools' shorten returns.
func TestShortenClass(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"BTrees.OOBTree.OOBucket", 46, "BTrees.OOBTree.OOBucket"},
		{"a.b.c.VeryLongClassName", 20, "...VeryLongClassName"},
		{"a.b.c.VeryLongClassNameIndeed", 20, "yLongClassNameIndeed"}, // no dot left: the tail
		{"Products.ERP5Type.Document.SomethingQuiteLong.Klass", 30, "...SomethingQuiteLong.Klass"},
		{"nodotsatallinthisverylongname", 10, "rylongname"},
		{"a.bcdefghi", 9, "bcdefghi"}, // shorter than n, too long with "..."
		{"ünïcödé.ünïcödé.ünïcödé", 10, "...ünïcödé"},
	} {
		if got := shortenClass(tt.in, tt.n); got != tt.want {
			t.Errorf("shortenClass(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
