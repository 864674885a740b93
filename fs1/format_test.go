package fs1

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// dumpvKeys are the fields of ZODB's verbose dumper (fsdump's Dumper) that
// the low-level reader gives too.
var dumpvKeys = map[string]bool{
	"offset": true, "end pos": true, "transaction id": true, "trec len": true,
	"oid": true, "revid": true, "previous record offset": true,
	"transaction offset": true, "len(data)": true, "backpointer": true,
	"redundant trec len": true,
}

// readDumpV returns the fields of a *.fsdumpv golden, in order.
func readDumpV(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fields []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ": ")
		if ok && dumpvKeys[k] {
			fields = append(fields, k+": "+v)
		}
	}
	return fields
}

// iterDumpV walks a file with Iter the way the verbose dumper does.
func iterDumpV(f *File) (fields []string, err error) {
	add := func(k string, v any) { fields = append(fields, fmt.Sprintf("%s: %v", k, v)) }
	it := f.Iter(FileHeaderLen, Forward)
	for {
		h, err := it.NextTxn()
		if err != nil {
			return fields, err
		}
		add("offset", h.Pos)
		add("end pos", h.DataEnd())
		add("transaction id", h.Tid)
		add("trec len", h.Len)
		for {
			d, err := it.NextData()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fields, err
			}
			add("offset", d.Pos)
			add("oid", d.Oid)
			add("revid", d.Tid)
			add("previous record offset", d.PrevRevPos)
			add("transaction offset", d.TxnPos)
			add("len(data)", d.DataLen)
			if d.DataLen == 0 {
				add("backpointer", d.BackPos)
			}
			if data, err := it.Data(); err != nil || int64(len(data)) != d.DataLen {
				return fields, fmt.Errorf("data of %d bytes: %d bytes, %v", d.DataLen, len(data), err)
			}
		}
		add("redundant trec len", h.Len)
	}
}

// TestIterDumpV compares Iter with ZODB's verbose dumper, record by
// record. On torn files the dumper reads on into the torn transaction:
// Iter must agree up to where it stops.
func TestIterDumpV(t *testing.T) {
	golden, _ := filepath.Glob("../testdata/fs1/*/*.fsdumpv")
	for _, g := range golden {
		t.Run(g, func(t *testing.T) {
			want := readDumpV(t, g)
			f, err := OpenFile(strings.TrimSuffix(g, "dumpv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := iterDumpV(f)
			if err != io.EOF {
				if !IsTorn(err) {
					t.Fatalf("iteration ends with %v", err)
				}
				// The dumper prints the torn transaction's
				// header: compare up to it.
				want = want[:min(len(want), len(got))]
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("differs from %s:\n%s", g, firstDiff(got, want))
			}
		})
	}
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("field %d: have %q, want %q", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d fields, want %d", len(got), len(want))
}

// TestIterBackward walks every file both ways and with single reads.
func TestIterBackward(t *testing.T) {
	for _, tf := range testFiles(t) {
		t.Run(tf.path, func(t *testing.T) {
			f, err := OpenFile(tf.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var fwd []TxnHeader
			it := f.Iter(FileHeaderLen, Forward)
			end := int64(FileHeaderLen)
			for {
				h, err := it.NextTxn()
				if err != nil {
					break
				}
				fwd = append(fwd, cloneTxn(h))
				end = h.End()
			}
			bit := f.Iter(end, Backward)
			for i := len(fwd) - 1; i >= 0; i-- {
				h, err := bit.NextTxn()
				if err != nil {
					t.Fatalf("backward, txn %d: %v", i, err)
				}
				checkSameTxn(t, h, &fwd[i])
				h1, err := f.ReadTxnHeader(fwd[i].Pos)
				if err != nil {
					t.Fatal(err)
				}
				checkSameTxn(t, h1, &fwd[i])
				h2, err := f.ReadTxnHeaderBefore(fwd[i].End())
				if err != nil {
					t.Fatal(err)
				}
				checkSameTxn(t, h2, &fwd[i])
			}
			if _, err := bit.NextTxn(); err != io.EOF {
				t.Errorf("backward past the first transaction: %v", err)
			}
		})
	}
}

func cloneTxn(h *TxnHeader) TxnHeader {
	c := *h
	c.User = append([]byte{}, h.User...)
	c.Description = append([]byte{}, h.Description...)
	c.Extension = append([]byte{}, h.Extension...)
	return c
}

func checkSameTxn(t *testing.T, a, b *TxnHeader) {
	t.Helper()
	if a.Pos != b.Pos || a.Tid != b.Tid || a.Len != b.Len || a.Status != b.Status ||
		string(a.User) != string(b.User) || string(a.Description) != string(b.Description) ||
		string(a.Extension) != string(b.Extension) {
		t.Errorf("txn @%d: %+v, want %+v", b.Pos, a, b)
	}
}

func TestOpenFileBad(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenFile(filepath.Join(dir, "missing.fs"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for name, content := range map[string]string{
		"magic.fs": "FS99 and more", "short.fs": "FS", "zodb.fs": "ZODB data file",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		_, err := OpenFile(p)
		var re *RecordError
		if !errors.Is(err, zodb.ErrCorrupt) || !errors.As(err, &re) || re.Pos != 0 {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := Open(ctx, p, &zodb.Options{ReadOnly: true}); !errors.Is(err, zodb.ErrCorrupt) {
			t.Errorf("Open %s: %v", name, err)
		}
	}
	// An empty file is a FileStorage without transactions, to Python too.
	p := filepath.Join(dir, "empty.fs")
	os.WriteFile(p, nil, 0o644)
	stor, err := Open(ctx, p, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if stor.Size() != FileHeaderLen || stor.Head() != 0 {
		t.Errorf("empty file: size %d head %s", stor.Size(), stor.Head())
	}
	stor.Close()
}

func TestRecordErrorMessage(t *testing.T) {
	err := &RecordError{Path: "data.fs", Pos: 1234, Err: corruptf("oid %s: invalid previous record pointer %d", zodb.Oid(0x12), 5000)}
	want := "fs1: data.fs: record @1234: oid 0000000000000012: invalid previous record pointer 5000"
	if err.Error() != want {
		t.Errorf("%q\nwant %q", err, want)
	}
	if !errors.Is(err, zodb.ErrCorrupt) || IsTorn(err) {
		t.Error("a corrupt record error must be ErrCorrupt, not torn")
	}
	torn := &RecordError{Path: "data.fs", Pos: 1, Err: tornf("cut")}
	if !IsTorn(torn) || errors.Is(torn, zodb.ErrCorrupt) {
		t.Error("a torn record error must be torn, not ErrCorrupt")
	}
}
