package zpickle

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// Reading the records of a zodbdump golden file (zodbtools' text format):
//
//	txn <tid> "<status>"
//	user "..."  description "..."  extension "..."
//	obj <oid> <len> sha1:<hex>\n<len bytes>\n
//	obj <oid> from <tid>       (an undo: the data of <oid> at <tid>)
//	obj <oid> delete

type dumpRecord struct {
	tid     zodb.Tid
	oid     zodb.Oid
	data    []byte // nil for a deletion
	deleted bool
}

const testdata = "../../testdata"

// loadDump returns the records of a zodbdump file, with the data of undo
// records looked up in the records before them.
func loadDump(tb testing.TB, path string) []dumpRecord {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	type xid struct {
		oid zodb.Oid
		tid zodb.Tid
	}
	seen := map[xid][]byte{}
	var recs []dumpRecord
	var tid zodb.Tid
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		raw = rest
		f := strings.Fields(string(line))
		switch {
		case len(f) >= 2 && f[0] == "txn":
			tid = mustTid(tb, f[1])
		case len(f) >= 3 && f[0] == "obj":
			r := dumpRecord{tid: tid, oid: mustOid(tb, f[1])}
			switch f[2] {
			case "delete":
				r.deleted = true
			case "from":
				data, ok := seen[xid{r.oid, mustTid(tb, f[3])}]
				if !ok {
					tb.Fatalf("%s: %s: undo of unknown data", path, line)
				}
				r.data = data
				r.deleted = data == nil
			default:
				n, err := strconv.Atoi(f[2])
				if err != nil || n > len(raw) {
					tb.Fatalf("%s: bad record line %q", path, line)
				}
				r.data = raw[:n:n]
				raw = raw[n+1:]
			}
			seen[xid{r.oid, tid}] = r.data
			recs = append(recs, r)
		}
	}
	return recs
}

func mustTid(tb testing.TB, s string) zodb.Tid {
	t, err := zodb.ParseTid(s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func mustOid(tb testing.TB, s string) zodb.Oid {
	o, err := zodb.ParseOid(s)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// allDumps lists every full raw dump of testdata: the fs1 files and
// zodbtools' own databases.
func allDumps(tb testing.TB) []string {
	tb.Helper()
	a, err := filepath.Glob(filepath.Join(testdata, "fs1/*/*.zdump.raw"))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := filepath.Glob(filepath.Join(testdata, "zodbtools/*/*/zdump.raw.ok"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(a) == 0 || len(b) == 0 {
		tb.Fatal("no dumps in testdata")
	}
	return append(a, b...)
}

// allRecordData returns the data of every record in testdata, once each.
func allRecordData(tb testing.TB) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, path := range allDumps(tb) {
		for _, r := range loadDump(tb, path) {
			if r.data != nil && !seen[string(r.data)] {
				seen[string(r.data)] = true
				out = append(out, r.data)
			}
		}
	}
	return out
}
