package fs1

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// defectBase writes a small clean file: T1 creates oids 1 and 2, T2
// changes 1 and undoes 2 to T1's revision (a backpointer), T3 deletes 1.
func defectBase(t *testing.T, path string) (txns []int64, recs [][]int64) {
	w, done := newTestWriter(t, path)
	recs = append(recs, w.txn(0x10, ' ', "u", "d", "", testRec{oid: 1, data: []byte("one")}, testRec{oid: 2, data: []byte("two")}))
	back := recs[0][1]
	recs = append(recs, w.txn(0x20, ' ', "", "", "", testRec{oid: 1, data: []byte("one'")}, testRec{oid: 2, back: back}))
	recs = append(recs, w.txn(0x30, ' ', "", "", "x", testRec{oid: 1}))
	done()
	return w.txns, recs
}

func putU64(b []byte, pos int64, v uint64) { binary.BigEndian.PutUint64(b[pos:], v) }

// TestDefects damages one field of a clean file at a time and checks the
// error names the record and says it is corrupt.
func TestDefects(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.fs")
	txns, recs := defectBase(t, base)
	clean := mustRead(t, base)
	t2, r20, r21 := txns[1], recs[1][0], recs[1][1]
	cases := []struct {
		name   string
		damage func(b []byte) []byte
		at     int64 // where the error must point; -1: Open works, Load fails
	}{
		{"status", func(b []byte) []byte { b[t2+16] = 'x'; return b }, t2},
		{"tid backwards", func(b []byte) []byte { putU64(b, txns[2], 0x05); return b }, txns[2]},
		{"redundant length", func(b []byte) []byte { b[txns[2]-1]++; return b }, t2},
		{"txn pointer", func(b []byte) []byte { putU64(b, r20+dataOffTxnPos, uint64(txns[0])); return b }, r20},
		{"record tid", func(b []byte) []byte { putU64(b, r20+dataOffTid, 0x21); return b }, r20},
		{"version", func(b []byte) []byte { b[r20+dataOffVlen+1] = 1; return b }, r20},
		{"prev forward", func(b []byte) []byte { putU64(b, recs[0][0]+dataOffPrev, uint64(r20)); return b }, recs[0][0]},
		{"data past txn", func(b []byte) []byte { b[r20+dataOffPlen+7] += 100; return b }, r20},
		{"backpointer forward", func(b []byte) []byte { putU64(b, r21+DataHeaderLen, uint64(r21)); return b }, r21},
		{"txn shorter than its header", func(b []byte) []byte { putU64(b, t2+8, 20); return b }, t2},
		{"backpointer to another oid", func(b []byte) []byte { putU64(b, r21+DataHeaderLen, uint64(recs[0][0])); return b }, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "data.fs")
			os.WriteFile(p, c.damage(append([]byte{}, clean...)), 0o644)
			fs, err := Open(ctx, p, &zodb.Options{ReadOnly: true})
			if c.at >= 0 {
				checkRecordErr(t, err, c.at)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer fs.Close()
			_, _, err = fs.Load(ctx, zodb.Xid{At: 0x20, Oid: 2})
			checkRecordErr(t, err, r21)
			if _, err := countTxns(fs); !errors.Is(err, zodb.ErrCorrupt) {
				t.Errorf("iterate: %v", err)
			}
		})
	}
}

func checkRecordErr(t *testing.T, err error, at int64) {
	t.Helper()
	var re *RecordError
	if !errors.As(err, &re) || re.Pos != at || !errors.Is(err, zodb.ErrCorrupt) {
		t.Errorf("error %v, want a corrupt record @%d", err, at)
	}
}

// TestJunkTail appends to a clean file what Python's read_index takes for
// junk a crash left: a header too short for itself, whose last 8 bytes do
// not read as the length of a transaction after it.
func TestJunkTail(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data.fs")
	txns, _ := defectBase(t, p)
	b := mustRead(t, p)
	end := int64(len(b))
	junk := make([]byte, 40)
	putU64(junk, 0, 0x40)
	putU64(junk, 8, 5) // tl 5 < 23
	junk[16] = ' '
	putU64(junk, 32, 1<<40)
	os.WriteFile(p, append(b, junk...), 0o644)
	fs := openRO(t, p)
	defer fs.Close()
	if fs.Size() != end || fs.Head() != 0x40 || fs.Tail() == nil || !errors.Is(fs.Tail().Err, zodb.ErrCorrupt) {
		t.Errorf("size %d head %s tail %+v; want size %d head 0x40 and a corrupt tail", fs.Size(), fs.Head(), fs.Tail(), end)
	}
	if n, err := countTxns(fs); n != len(txns) || err != io.EOF {
		t.Errorf("iterated %d, %v", n, err)
	}
}

// TestBackpointerChains loads through chains of backpointers and one that
// ends in a deletion, by Load, History and Iterate.
func TestBackpointerChains(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	w, done := newTestWriter(t, p)
	r1 := w.txn(0x10, ' ', "", "", "", testRec{oid: 7, data: []byte("first")})
	r2 := w.txn(0x20, ' ', "", "", "", testRec{oid: 7, back: r1[0]})
	r3 := w.txn(0x30, ' ', "", "", "", testRec{oid: 7, back: r2[0]}) // chain of 2
	r4 := w.txn(0x40, ' ', "", "", "", testRec{oid: 7})              // delete
	w.txn(0x50, ' ', "", "", "", testRec{oid: 7, back: r4[0]})       // undo to a deletion
	w.txn(0x60, ' ', "", "", "", testRec{oid: 7, back: r3[0]})
	done()
	fs := openRO(t, p)
	defer fs.Close()
	for at, want := range map[zodb.Tid]string{0x10: "first", 0x20: "first", 0x30: "first", 0x40: "", 0x50: "", 0x60: "first"} {
		data, serial, err := fs.Load(ctx, zodb.Xid{At: at, Oid: 7})
		if want == "" {
			var nd *zodb.NoDataError
			if !errors.As(err, &nd) || nd.DeletedAt != at {
				t.Errorf("@%s: %v, want deleted at %s", at, err, at)
			}
			continue
		}
		if err != nil || string(data) != want || serial != at {
			t.Errorf("@%s: %q %s %v", at, data, serial, err)
		}
	}
	hist, err := fs.History(ctx, 7, zodb.TidMax, 10)
	if err != nil || len(hist) != 6 || hist[0].Size != 5 || hist[1].Size != 0 || hist[2].Size != 0 {
		t.Errorf("history %+v %v", hist, err)
	}
	it := fs.Iterate(ctx, 0x50, 0x60)
	wantFrom := []zodb.Tid{0x40, 0x30}
	for i := 0; i < 2; i++ {
		_, di, err := it.NextTxn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d, err := di.NextData(ctx)
		if err != nil || d.DataTid != wantFrom[i] || (i == 0) != (d.Data == nil) {
			t.Errorf("record %d: %+v %v", i, d, err)
		}
	}
}

// TestCheckpointTail ends a file with a checkpoint transaction that a
// crash left half-made: a tid going backwards and no redundant length.
// Python stops at the status alone; so must we.
func TestCheckpointTail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	txns, _ := defectBase(t, p)
	b := mustRead(t, p)
	end := int64(len(b))
	w, done := newTestWriter(t, p)
	w.write(b[FileHeaderLen:])
	w.txn(0x01, 'c', "", "", "", testRec{oid: 1, data: []byte("never")})
	done()
	b = mustRead(t, p)
	putU64(b, int64(len(b))-8, 12345) // no redundant length yet
	os.WriteFile(p, b, 0o644)
	fs := openRO(t, p)
	defer fs.Close()
	if fs.Size() != end || fs.Head() != 0x01 || fs.Tail() == nil || !errors.Is(fs.Tail().Err, ErrInProgress) {
		t.Errorf("size %d head %s tail %+v; want size %d head 0x01, in progress", fs.Size(), fs.Head(), fs.Tail(), end)
	}
	if n, err := countTxns(fs); n != len(txns) || err != io.EOF {
		t.Errorf("iterated %d, %v", n, err)
	}
}
