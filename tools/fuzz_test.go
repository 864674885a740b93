package tools

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// FuzzDumpRecord feeds arbitrary bytes as object data and transaction
// metadata to every tool: none may panic, the raw dump must be exactly the
// format's, and the other forms may only fail with an error. Seeds are the
// records and extensions of testdata's FileStorages.
func FuzzDumpRecord(f *testing.F) {
	for _, p := range []string{
		filepath.Join(testdata, "fs1", "small", "small.fs"),
		filepath.Join(testdata, "zodbtools", "1", "py2_pickle1", "data.fs"),
		filepath.Join(testdata, "zodbtools", "1", "py2_pickle3", "data.fs"),
	} {
		for _, seed := range storageRecords(f, p) {
			f.Add(seed)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return // nil data is a deletion, tested elsewhere
		}
		ctx := context.Background()
		stor := &memStorage{txns: []memTxn{{
			info: zodb.TxnInfo{Tid: 1, Status: ' ', User: data, Description: data, Extension: data},
			recs: []zodb.DataInfo{{Oid: 7, Data: data}},
		}}}
		var out bytes.Buffer
		if err := Dump(ctx, &out, stor, 0, zodb.TidMax, nil); err != nil {
			t.Fatal(err)
		}
		q := Quote(data)
		want := "txn 0000000000000001 \" \"\nuser " + q + "\ndescription " + q + "\nextension " + q +
			"\nobj 0000000000000007 " + objHash(string(data)) + "\n" + string(data) + "\n\n"
		if out.String() != want {
			t.Fatalf("raw dump:\n%q\nwant:\n%q", out.String(), want)
		}
		for _, opt := range []DumpOptions{{HashOnly: true}, {Pretty: PrettyZPickleDis}} {
			Dump(ctx, io.Discard, stor, 0, zodb.TidMax, &opt)
		}
		Catobj(ctx, io.Discard, stor, zodb.Xid{At: 1, Oid: 7}, &CatobjOptions{Pretty: PrettyZPickleDis})
		rep, err := Analyze(ctx, stor, 0, zodb.TidMax, &AnalyzeOptions{Warn: func(error) {}})
		if err != nil {
			t.Fatal(err)
		}
		rep.WriteText(io.Discard)
		rep.WriteCSV(io.Discard)
	})
}

// storageRecords returns the data of every record and the extension of
// every transaction of a FileStorage.
func storageRecords(tb testing.TB, path string) [][]byte {
	ctx := context.Background()
	stor, err := zodb.Open(ctx, copyStorage(tb, path), &zodb.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer stor.Close()
	var recs [][]byte
	it := stor.Iterate(ctx, 0, zodb.TidMax)
	for {
		txn, dit, err := it.NextTxn(ctx)
		if errors.Is(err, io.EOF) {
			return recs
		}
		if err != nil {
			tb.Fatal(err)
		}
		recs = append(recs, bytes.Clone(txn.Extension))
		for {
			di, err := dit.NextData(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
			recs = append(recs, bytes.Clone(di.Data))
		}
	}
}
