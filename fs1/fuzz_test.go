package fs1

import (
	"os"
	"path/filepath"
	"testing"
)

// headerSeeds returns the bytes at every transaction and data record of
// the testdata files, each with its position.
func headerSeeds(t testing.TB) (seeds [][]byte, poss []int64) {
	for _, tf := range testFiles(t) {
		b := mustRead(t, tf.path)
		f := openFile(t, tf.path)
		it := f.Iter(FileHeaderLen, Forward)
		for {
			h, err := it.NextTxn()
			if err != nil {
				break
			}
			seeds, poss = append(seeds, b[h.Pos:min(h.Pos+200, int64(len(b)))]), append(poss, h.Pos)
			for {
				d, err := it.NextData()
				if err != nil {
					break
				}
				seeds, poss = append(seeds, b[d.Pos:min(d.Pos+60, int64(len(b)))]), append(poss, d.Pos)
			}
		}
		f.Close()
	}
	return seeds, poss
}

// FuzzHeaders decodes arbitrary bytes as a transaction header and as a
// data record header, and checks that what passes the checks keeps the
// invariants readers rely on.
func FuzzHeaders(f *testing.F) {
	seeds, poss := headerSeeds(f)
	for i := range seeds {
		f.Add(seeds[i], poss[i], int64(len(seeds[i]))+poss[i])
	}
	f.Fuzz(func(t *testing.T, b []byte, pos, size int64) {
		if pos < 0 || size < pos {
			return
		}
		if len(b) >= TxnHeaderFixLen && pos >= FileHeaderLen {
			x := decodeTxnFix(b)
			if x.check(pos, size) == nil {
				if int64(x.tl) < int64(TxnHeaderFixLen+x.metaLen()) || pos+int64(x.tl)+txnTrailerLen > size {
					t.Errorf("txn header passed its checks with tl %d, meta %d, pos %d, size %d", x.tl, x.metaLen(), pos, size)
				}
			}
		}
		if len(b) >= DataHeaderLen+backPtrLen {
			var h DataHeader
			if h.decode(b, pos) == nil {
				if h.PrevRevPos >= pos || h.TxnPos >= pos || h.DataLen < 0 || h.End() <= pos {
					t.Errorf("data header passed its checks: %+v", h)
				}
				if h.DataLen == 0 && h.decodeBack(b[DataHeaderLen:]) == nil && h.BackPos >= pos {
					t.Errorf("backpointer passed its checks: %+v", h)
				}
			}
		}
	})
}

// FuzzOpen opens arbitrary files as FileStorages and reads all they hold
// through every API: errors must be *RecordError, never a panic or hang.
func FuzzOpen(f *testing.F) {
	// Small seeds keep the fuzzer fast: whole small files and the first
	// transactions of bigger ones, whole and torn.
	f.Add(mustRead(f, "../testdata/fs1/empty/rootonly.fs"))
	f.Add(mustRead(f, "../testdata/fs1/empty/empty.fs"))
	for _, p := range []string{"../testdata/fs1/small/small.fs", "../testdata/fs1/packed/packed.fs",
		"../testdata/zodbtools/1/py2_pickle1/data.fs"} {
		b := mustRead(f, p)
		ends, _ := txnEnds(f, p)
		for _, n := range []int{2, 4} {
			f.Add(b[:ends[n]])
			f.Add(b[:ends[n]+30])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "data.fs")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		exercise(t, p)
		file, err := OpenFile(p)
		if err != nil {
			return
		}
		defer file.Close()
		it := file.Iter(FileHeaderLen, Forward)
		for i := 0; i < 1e5; i++ {
			if _, err := it.NextTxn(); err != nil {
				break
			}
			for {
				if _, err := it.NextData(); err != nil {
					break
				}
				it.Data()
			}
		}
	})
}
