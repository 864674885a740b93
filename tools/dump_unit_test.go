package tools

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

func testMemStorage() *memStorage {
	return &memStorage{txns: []memTxn{
		{info: zodb.TxnInfo{Tid: 0x0285cbac258bf266, Status: ' ', User: []byte("user"),
			Description: []byte("desc\n\"1\""), Extension: []byte("ext")},
			recs: []zodb.DataInfo{
				{Oid: 3, Data: []byte("three\n")},
				{Oid: 1, Data: []byte("one")},
				{Oid: 2}, // deleted
				{Oid: 1, Data: []byte("one again")},
			}},
		{info: zodb.TxnInfo{Tid: 0x0285cbac258bf267, Status: 'p'},
			recs: []zodb.DataInfo{
				{Oid: 1, Data: []byte("one"), DataTid: 0x0285cbac258bf266},
				{Oid: 2, DataTid: 0x0285cbac258bf266}, // undo of a creation
			}},
		{info: zodb.TxnInfo{Tid: 0x0285cbac258bf268, Status: ' '}},
	}}
}

// objHash is "<size> sha1:<hex>" of data, computed independently of Dump.
func objHash(data string) string {
	return fmt.Sprintf("%d sha1:%x", len(data), sha1.Sum([]byte(data)))
}

var testDumpRaw = `txn 0285cbac258bf266 " "
user "user"
description "desc\n\"1\""
extension "ext"
obj 0000000000000001 ` + objHash("one") + `
one
obj 0000000000000001 ` + objHash("one again") + `
one again
obj 0000000000000002 delete
obj 0000000000000003 ` + objHash("three\n") + `
three


txn 0285cbac258bf267 "p"
user ""
description ""
extension ""
obj 0000000000000001 from 0285cbac258bf266
obj 0000000000000002 delete

txn 0285cbac258bf268 " "
user ""
description ""
extension ""

`

func TestDumpUnit(t *testing.T) {
	ctx := context.Background()
	stor := testMemStorage()
	want := testDumpRaw

	var out bytes.Buffer
	if err := Dump(ctx, &out, stor, 0, zodb.TidMax, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("dump:\n%s\nwant:\n%s", out.String(), want)
	}

	// a range picks transactions by tid, ends included
	out.Reset()
	if err := Dump(ctx, &out, stor, 0x0285cbac258bf267, 0x0285cbac258bf267, &DumpOptions{HashOnly: true}); err != nil {
		t.Fatal(err)
	}
	if wantRange := want[strings.Index(want, "txn 0285cbac258bf267"):strings.Index(want, "txn 0285cbac258bf268")]; out.String() != wantRange {
		t.Errorf("ranged dump:\n%s\nwant:\n%s", out.String(), wantRange)
	}
}

func TestDumpHashOnly(t *testing.T) {
	var out bytes.Buffer
	if err := Dump(context.Background(), &out, testMemStorage(), 0, zodb.TidMax, &DumpOptions{HashOnly: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\nobj 0000000000000003 "+objHash("three\n")+" -\n\ntxn ") {
		t.Errorf("hashonly dump lacks obj 3's entry:\n%s", out.String())
	}
	if strings.Contains(out.String(), "three\n") {
		t.Errorf("hashonly dump holds data:\n%s", out.String())
	}
}

// TestDumpTorn checks that a failing iteration leaves every complete
// transaction in the output, nothing of the damaged one, and says why.
func TestDumpTorn(t *testing.T) {
	ctx := context.Background()
	full := new(bytes.Buffer)
	if err := Dump(ctx, full, testMemStorage(), 0, zodb.TidMax, nil); err != nil {
		t.Fatal(err)
	}
	twoTxns := full.String()[:strings.Index(full.String(), "txn 0285cbac258bf268")]

	stor := testMemStorage()
	stor.iterErr = errTorn
	var out bytes.Buffer
	err := Dump(ctx, &out, stor, 0, zodb.TidMax, nil)
	if !errors.Is(err, errTorn) {
		t.Errorf("error = %v, want %v", err, errTorn)
	}
	if out.String() != full.String() {
		t.Errorf("output before the damage:\n%s\nwant:\n%s", out.String(), full.String())
	}

	// damage inside the records of the last transaction: it is left out
	stor = testMemStorage()
	stor.txns[2].recs = []zodb.DataInfo{{Oid: 7, Data: []byte("x")}}
	stor.dataErr, stor.dataErrAt = errTorn, 1
	out.Reset()
	err = Dump(ctx, &out, stor, 0, zodb.TidMax, nil)
	if !errors.Is(err, errTorn) || !strings.Contains(err.Error(), "txn 0285cbac258bf268") {
		t.Errorf("error = %v, want %v in txn 0285cbac258bf268", err, errTorn)
	}
	if out.String() != twoTxns {
		t.Errorf("output before the damage:\n%s\nwant:\n%s", out.String(), twoTxns)
	}
}

func TestDumpBadPretty(t *testing.T) {
	err := Dump(context.Background(), new(bytes.Buffer), testMemStorage(), 0, zodb.TidMax, &DumpOptions{Pretty: "json"})
	if err == nil || !strings.Contains(err.Error(), `unsupported pretty format "json"`) {
		t.Errorf("error = %v", err)
	}
}
