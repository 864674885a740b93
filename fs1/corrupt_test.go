package fs1

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// txnEnds returns the end of every transaction of a clean file.
func txnEnds(t testing.TB, path string) (ends []int64, tids []zodb.Tid) {
	f := openFile(t, path)
	defer f.Close()
	it := f.Iter(FileHeaderLen, Forward)
	for {
		h, err := it.NextTxn()
		if err == io.EOF {
			return ends, tids
		}
		if err != nil {
			t.Fatal(err)
		}
		ends, tids = append(ends, h.End()), append(tids, h.Tid)
	}
}

// TestTruncateEverywhere cuts copies of clean files at many positions
// (every byte of the small ones, of the last transactions of small.fs):
// each cut must open as Python opens it, serving exactly the transactions
// left whole.
func TestTruncateEverywhere(t *testing.T) {
	for _, src := range []string{"../testdata/fs1/empty/rootonly.fs", "../testdata/fs1/small/small.fs"} {
		full := mustRead(t, src)
		ends, tids := txnEnds(t, src)
		dir := t.TempDir()
		p := filepath.Join(dir, "data.fs")
		step := 1
		if len(full) > 2000 {
			step = 53
		}
		for cut := 0; cut <= len(full); cut++ {
			if cut%step != 0 && cut < len(full)-1000 {
				continue
			}
			if err := os.WriteFile(p, full[:cut], 0o644); err != nil {
				t.Fatal(err)
			}
			checkCut(t, p, int64(cut), ends, tids)
		}
	}
}

func checkCut(t *testing.T, p string, cut int64, ends []int64, tids []zodb.Tid) {
	t.Helper()
	fs, err := Open(ctx, p, &zodb.Options{ReadOnly: true})
	if cut > 0 && cut < FileHeaderLen {
		if !errors.Is(err, zodb.ErrCorrupt) {
			t.Errorf("cut %d: %v, want a corrupt error", cut, err)
		}
		return
	}
	if err != nil {
		t.Errorf("cut %d: %v", cut, err)
		return
	}
	defer fs.Close()
	size, head, n := int64(FileHeaderLen), zodb.Tid(0), 0
	for n < len(ends) && ends[n] <= cut {
		size, head = ends[n], tids[n]
		n++
	}
	if cut-size >= TxnHeaderFixLen {
		head = tids[n] // Python reports the torn transaction's tid
	}
	if fs.Size() != size || fs.Head() != head || (fs.Tail() == nil) != (size == cut || cut == 0) {
		t.Errorf("cut %d: size %d head %s tail %+v; want size %d head %s", cut, fs.Size(), fs.Head(), fs.Tail(), size, head)
	}
	got, err := countTxns(fs)
	if got != n || (err != io.EOF && !(IsTorn(err) && cut-size < TxnHeaderFixLen)) {
		t.Errorf("cut %d: iterated %d transactions, ending with %v; want %d", cut, got, err, n)
	}
}

func countTxns(stor zodb.Storage) (int, error) {
	it := stor.Iterate(ctx, 0, zodb.TidMax)
	for n := 0; ; n++ {
		_, di, err := it.NextTxn(ctx)
		if err != nil {
			return n, err
		}
		for {
			if _, err := di.NextData(ctx); err != nil {
				if err != io.EOF {
					return n, err
				}
				break
			}
		}
	}
}

// TestFlipBytes damages copies of small.fs byte by byte: opening and
// reading them must give typed errors or answers, never a panic or a hang.
func TestFlipBytes(t *testing.T) {
	full := mustRead(t, "../testdata/fs1/small/small.fs")
	index := mustRead(t, "../testdata/fs1/small/small.fs.index")
	dir := t.TempDir()
	p := filepath.Join(dir, "data.fs")
	rnd := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 200
	}
	b := make([]byte, len(full))
	for i := 0; i < n; i++ {
		copy(b, full)
		for k := 0; k <= i%3; k++ {
			b[rnd.IntN(len(b))] ^= byte(1 + rnd.IntN(255))
		}
		os.WriteFile(p, b, 0o644)
		os.Remove(p + ".index")
		if i%2 == 0 {
			os.WriteFile(p+".index", index, 0o644)
		}
		exercise(t, p)
	}
}

// exercise opens the file at p and reads all it can through every API,
// checking that errors are of the documented kinds.
func exercise(t testing.TB, p string) {
	t.Helper()
	fs, err := Open(ctx, p, &zodb.Options{ReadOnly: true})
	if err != nil {
		checkErrKind(t, "open", err)
		return
	}
	defer fs.Close()
	if _, err := countTxns(fs); err != io.EOF {
		checkErrKind(t, "iterate", err)
	}
	var oids []zodb.Oid
	fs.mu.index.Each(func(oid zodb.Oid, _ int64) bool { oids = append(oids, oid); return true })
	for _, oid := range oids {
		for _, at := range []zodb.Tid{fs.Head(), zodb.TidMax, fs.Head() - 1<<32} {
			if _, _, err := fs.Load(ctx, zodb.Xid{At: at, Oid: oid}); err != nil && !zodb.IsNoData(err) {
				checkErrKind(t, "load", err)
			}
		}
		if _, err := fs.History(ctx, oid, zodb.TidMax, 100); err != nil && !zodb.IsNoData(err) {
			checkErrKind(t, "history", err)
		}
	}
	it := fs.File().Iter(fs.File().Size(), Backward)
	for {
		if _, err := it.NextTxn(); err != nil {
			if err != io.EOF {
				checkErrKind(t, "backward", err)
			}
			break
		}
		for {
			if _, err := it.NextData(); err != nil {
				break
			}
		}
	}
}

// checkErrKind checks that a damaged file gave a *RecordError.
func checkErrKind(t testing.TB, op string, err error) {
	t.Helper()
	var re *RecordError
	if !errors.As(err, &re) || !(errors.Is(err, zodb.ErrCorrupt) || IsTorn(err)) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s: error of an unexpected kind: %v", op, err)
	}
}
