package mount

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

const testdata = "../testdata"

// smallFS is the path of small.fs, whose notable transactions small.gen.json
// names.
var smallFS = filepath.Join(testdata, "fs1/small/small.fs")

// openStor opens a FileStorage read-only, closed at the end of the test.
func openStor(t testing.TB, path string) *fs1.FileStorage {
	t.Helper()
	stor, err := fs1.Open(context.Background(), path, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stor.Close() })
	return stor
}

// newFS returns the filesystem of stor, without mounting it.
func newFS(t testing.TB, stor zodb.Storage, opt *Options) *FS {
	t.Helper()
	if opt == nil {
		opt = &Options{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	f, err := New(context.Background(), stor, opt)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// smallTids returns small.fs's notable tids by their T-number: T00 to T19.
func smallTids(t testing.TB) map[string]zodb.Tid {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "fs1/small/small.gen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gen struct{ Notes map[string]string }
	if err := json.Unmarshal(b, &gen); err != nil {
		t.Fatal(err)
	}
	tids := map[string]zodb.Tid{}
	for note, hex := range gen.Notes {
		tid, err := zodb.ParseTid(hex)
		if err != nil {
			t.Fatal(err)
		}
		tids[note[:3]] = tid
	}
	return tids
}

// txnInfo is what a test needs of a transaction.
type txnInfo struct {
	zodb.TxnInfo
	oids []zodb.Oid // written, sorted
}

// allTxns reads every transaction of stor.
func allTxns(t testing.TB, stor zodb.Storage) []txnInfo {
	t.Helper()
	ctx := context.Background()
	var txns []txnInfo
	it := iterate(ctx, stor, 0, stor.Head())
	for {
		info, dit, err := it.NextTxn(ctx)
		if err == io.EOF {
			return txns
		}
		if err != nil {
			t.Fatal(err)
		}
		ti := txnInfo{TxnInfo: *info}
		for {
			d, err := dit.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			ti.oids = append(ti.oids, d.Oid)
		}
		slices.Sort(ti.oids)
		txns = append(txns, ti)
	}
}

// oidsAt returns the oids with a record up to at, sorted.
func oidsAt(txns []txnInfo, at zodb.Tid) []zodb.Oid {
	var oids []zodb.Oid
	for _, txn := range txns {
		if txn.Tid <= at {
			oids = append(oids, txn.oids...)
		}
	}
	slices.Sort(oids)
	return slices.Compact(oids)
}

// vlookup walks names from v.
func vlookup(t testing.TB, v vnode, names ...string) vnode {
	t.Helper()
	for _, name := range names {
		d, ok := v.(vdir)
		if !ok {
			t.Fatalf("lookup %q: not a directory", name)
		}
		var err error
		if v, err = d.lookup(context.Background(), name); err != nil {
			t.Fatalf("lookup %q: %v", name, err)
		}
	}
	return v
}

// vread returns the content of the file at names from v.
func vread(t testing.TB, v vnode, names ...string) string {
	t.Helper()
	f, ok := vlookup(t, v, names...).(vfile)
	if !ok {
		t.Fatalf("%q: not a file", names)
	}
	b, err := f.content(context.Background())
	if err != nil {
		t.Fatalf("%q: %v", names, err)
	}
	return string(b)
}

// vlist returns the entries of the directory at names from v.
func vlist(t testing.TB, v vnode, names ...string) []dirent {
	t.Helper()
	d, ok := vlookup(t, v, names...).(vdir)
	if !ok {
		t.Fatalf("%q: not a directory", names)
	}
	ctx := context.Background()
	l, err := d.list(ctx)
	if err != nil {
		t.Fatalf("list %q: %v", names, err)
	}
	defer l.close()
	var entries []dirent
	for {
		e, ok, err := l.next(ctx)
		if err != nil {
			t.Fatalf("list %q: %v", names, err)
		}
		if !ok {
			return entries
		}
		entries = append(entries, e)
	}
}

func names(entries []dirent) []string {
	var s []string
	for _, e := range entries {
		s = append(s, e.name)
	}
	return s
}

func oidNames(oids []zodb.Oid) []string {
	var s []string
	for _, oid := range oids {
		s = append(s, oid.String())
	}
	return s
}

// tlogWriter writes to the test's log.
type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b))
	return len(b), nil
}

// copySmall copies small.fs to a fresh directory and returns the copy's path.
func copySmall(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.fs")
	b, err := os.ReadFile(smallFS)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// commitHot commits a new revision of object 3 to the FileStorage at path
// (user "test", description "while mounted") and returns its tid.
func commitHot(t testing.TB, path string) zodb.Tid {
	t.Helper()
	ctx := context.Background()
	w, err := fs1.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	data, serial, err := w.Load(ctx, zodb.Xid{At: w.Head(), Oid: 3})
	if err != nil {
		t.Fatal(err)
	}
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("test"), Description: []byte("while mounted")})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, 3, serial, data); err != nil {
		t.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	tid, err := txn.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tid
}
