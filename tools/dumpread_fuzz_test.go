package tools

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDumpReader reads arbitrary bytes as a dump: the reader must never
// panic nor hang, what it reads must re-dump to text it reads back to the
// same, and Restore must take it or fail cleanly. Seeds are testdata's
// dumps, whole and cut into transactions.
func FuzzDumpReader(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(testdata, "fs1", "*", "*.zdump.[rh]a*"))
	zt, _ := filepath.Glob(filepath.Join(testdata, "zodbtools", "*", "py2_pickle1", "zdump.raw.ok"))
	for _, p := range append(seeds, zt...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if i := bytes.Index(b, []byte("!!! EXCEPTION")); i >= 0 {
			b = b[:i]
		}
		f.Add(b)
		for len(b) > 0 {
			n := nthTxn(string(b), 1)
			f.Add(b[:n])
			b = b[n:]
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		redump, n, err := readAllTxns(in)
		if err == nil && !bytes.Equal(redump, in) {
			// the input was not in Dump's own form (other escapes, or
			// hashes): its re-dump is, and reads back to itself
			again, n2, err := readAllTxns(redump)
			if err != nil || n2 != n || !bytes.Equal(again, redump) {
				t.Fatalf("re-dump of %d txns does not read back (%d txns, %v):\n%q\n%q", n, n2, err, redump, again)
			}
		}
		w := newMemWriter()
		rerr := Restore(context.Background(), w, bytes.NewReader(in), nil)
		if err != nil && rerr == nil {
			t.Fatalf("reader failed (%v) but restore did not", err)
		}
		if rerr == nil {
			// every transaction was restored
			var got bytes.Buffer
			Dump(context.Background(), &got, w, 0, 1<<64-1, &DumpOptions{HashOnly: true})
			if n > 0 && got.Len() == 0 {
				t.Fatalf("restored %d txns, storage empty", n)
			}
		}
		_, _ = Commit(context.Background(), w, w.Head(), io.LimitReader(bytes.NewReader(in), 1<<20), nil)
	})
}

// FuzzUnquote: Unquote undoes AppendQuote, and never panics on anything
// else. Seeds are testdata's metadata.
func FuzzUnquote(f *testing.F) {
	for _, seed := range storageRecords(f, filepath.Join(testdata, "fs1", "small", "small.fs")) {
		f.Add(seed)
	}
	f.Add([]byte(`"\a\b\v\f\x00\xFF\\\""`))
	f.Fuzz(func(t *testing.T, s []byte) {
		if got, err := Unquote(AppendQuote(nil, s)); err != nil || !bytes.Equal(got, s) {
			t.Fatalf("Unquote(AppendQuote(%q)) = %q, %v", s, got, err)
		}
		if u, err := Unquote(s); err == nil {
			if again, err := Unquote(AppendQuote(nil, u)); err != nil || !bytes.Equal(again, u) {
				t.Fatalf("%q: unquoted %q does not round trip", s, u)
			}
		}
	})
}

// FuzzCmpExtension compares arbitrary extensions as Cmp does: never a
// panic, and every extension equals itself and its own re-pickling's
// verdict is symmetric. Seeds are testdata's extensions.
func FuzzCmpExtension(f *testing.F) {
	for _, p := range []string{
		filepath.Join(testdata, "fs1", "small", "small.fs"),
		filepath.Join(testdata, "zodbtools", "1", "py2_pickle1", "data.fs"),
	} {
		for _, seed := range storageRecords(f, p) {
			f.Add(seed, []byte("\x80\x03}q\x00."))
		}
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var c extCmp
		if !c.equal(a, a) {
			t.Fatalf("%q does not equal itself", a)
		}
		if c.equal(a, b) != c.equal(b, a) {
			t.Fatalf("%q and %q: not symmetric", a, b)
		}
	})
}
