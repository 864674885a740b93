package objgraph

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// What Python put in the OOBTree of small.fs, read from the pickle
// disassembly Python's pickletools wrote (small.zdump.zpickledis), not
// through our decoders: for every OOBucket revision, its keys and values
// — ints and strs — in order.

// pyBucket is one revision of a bucket: alternating keys and values, each
// as the text a leaf shows.
type pyBucket []string

// pyBuckets returns, for every bucket oid, its revision current at `at`.
func pyBuckets(t *testing.T, path string, at zodb.Tid) map[zodb.Oid]pyBucket {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[zodb.Oid]pyBucket{}
	var tid zodb.Tid
	var oid zodb.Oid
	var cur pyBucket
	inBucket := false
	flush := func() {
		if inBucket && tid <= at {
			out[oid] = cur
		}
		inBucket, cur = false, nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "txn "):
			flush()
			tid = mustTid(t, fields[1])
		case strings.HasPrefix(line, "obj "):
			flush()
			oid = zodb.Oid(mustTid(t, fields[1]))
		case len(fields) >= 4 && fields[0] == "2:" && fields[2] == "GLOBAL" && strings.Join(fields[3:], " ") == "'BTrees.OOBTree OOBucket'":
			inBucket = true
		case inBucket && len(fields) >= 4 && strings.HasPrefix(fields[2], "BININT"):
			cur = append(cur, fields[3])
		case inBucket && len(fields) >= 4 && (fields[2] == "BINUNICODE" || fields[2] == "SHORT_BINUNICODE"):
			s := strings.Join(fields[3:], " ")
			if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' || strings.ContainsAny(s[1:len(s)-1], `\'`) {
				t.Fatalf("unexpected string %s in a bucket", s)
			}
			cur = append(cur, s[1:len(s)-1])
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustTid(t *testing.T, s string) zodb.Tid {
	t.Helper()
	tid, err := zodb.ParseTid(s)
	if err != nil {
		t.Fatal(err)
	}
	return tid
}
