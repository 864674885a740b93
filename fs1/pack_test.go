package fs1

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

const (
	smallFS  = "../testdata/fs1/small/small.fs"
	packedFS = "../testdata/fs1/packed/packed.fs"
)

// copyFS copies a data file (not its index) into a fresh directory and
// returns the copy's path.
func copyFS(t testing.TB, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.fs")
	if err := os.WriteFile(path, mustRead(t, src), 0o666); err != nil {
		t.Fatal(err)
	}
	return path
}

// packCopy packs a copy of src and its index, opened without waiting for
// the disk, and returns the copy's path.
func packCopy(t testing.TB, src string, packTid zodb.Tid, opt *PackOptions) (string, *PackResult, error) {
	t.Helper()
	path := copyFS(t, src)
	if idx, err := os.ReadFile(src + ".index"); err == nil {
		if err := os.WriteFile(path+".index", idx, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := OpenWith(ctx, path, &Options{Sync: SyncNone})
	if err != nil {
		t.Fatal(err)
	}
	res, err := fs.Pack(ctx, packTid, opt)
	if cerr := fs.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	return path, res, err
}

// goldenPackTid returns the pack time Python packed small.fs at to make
// packed.fs, as a tid.
func goldenPackTid(t testing.TB) zodb.Tid {
	t.Helper()
	var gen struct {
		PackTime float64  `json:"pack_time"`
		Between  []string `json:"packed_between"`
	}
	if err := json.Unmarshal(mustRead(t, "../testdata/fs1/packed/packed.gen.json"), &gen); err != nil {
		t.Fatal(err)
	}
	sec, frac := math.Modf(gen.PackTime)
	tid := zodb.TidFromTime(time.Unix(int64(sec), int64(frac*1e9)))
	lo, _ := zodb.ParseTid(gen.Between[0])
	hi, _ := zodb.ParseTid(gen.Between[1])
	if !(lo <= tid && tid < hi) {
		t.Fatalf("pack tid %s not in [%s, %s)", tid, lo, hi)
	}
	return tid
}

// TestPackGolden packs small.fs at the time Python packed it to make
// packed.fs: the file, its index and data.fs.old are byte for byte what
// Python left.
func TestPackGolden(t *testing.T) {
	path := copyFS(t, smallFS)
	res, err := PackFile(ctx, path, goldenPackTid(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := mustRead(t, packedFS)
	if got := mustRead(t, path); !bytes.Equal(got, want) {
		t.Errorf("packed file differs from packed.fs (%d bytes, want %d)", len(got), len(want))
	}
	if got, want := mustRead(t, path+".index"), mustRead(t, packedFS+".index"); !bytes.Equal(got, want) {
		t.Errorf("index differs from packed.fs.index")
	}
	if got := mustRead(t, path+".old"); !bytes.Equal(got, mustRead(t, smallFS)) {
		t.Errorf("data.fs.old is not small.fs")
	}
	if !res.Packed || res.OldSize != int64(len(mustRead(t, smallFS))) || res.NewSize != int64(len(want)) {
		t.Errorf("result %+v", res)
	}
}

// packedStatus checks what a pack must leave: a file our reader opens and
// whose saved index is the one a full read builds; transactions up to
// packTid with status 'p' and after it the same as in orig (records with
// the same data, backpointers to the same transactions unless copyIn);
// and every object reachable from the root at packTid and at the head
// loading the same data and serial as in orig.
func checkPacked(t *testing.T, origPath, path string, packTid zodb.Tid, copyIn bool) {
	t.Helper()
	orig, packed := openRO(t, origPath), openRO(t, path)
	defer orig.Close()
	defer packed.Close()
	idx, tail, err := packed.File().BuildIndex(ctx, -1, nil)
	if err != nil || tail != nil {
		t.Fatalf("reading the packed file: %v, tail %v", err, tail)
	}
	saved, err := fsindex.LoadFile(path + ".index")
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Equal(idx) {
		t.Errorf("saved index differs from the packed file's (%d oids up to %d, want %d up to %d)",
			saved.Len(), saved.TopPos, idx.Len(), idx.TopPos)
	}
	before := packDump(t, packed, 0, packTid)
	for _, txn := range before {
		if txn.info.Status != zodb.TxnPacked {
			t.Errorf("transaction %s before the pack time: status %q", txn.info.Tid, txn.info.Status)
		}
	}
	checkSameAfter(t, orig, packed, packTid, copyIn)
	for _, at := range []zodb.Tid{packTid, orig.Head()} {
		for oid := range reachableAt(t, orig, at) {
			checkSameLoad(t, orig, packed, zodb.Xid{At: at, Oid: oid})
		}
	}
}

// txnDump is a transaction as Iterate gives it, its records' data
// copied.
type txnDump struct {
	info zodb.TxnInfo
	recs []zodb.DataInfo
}

func packDump(t *testing.T, fs *FileStorage, lo, hi zodb.Tid) []txnDump {
	t.Helper()
	var txns []txnDump
	it := fs.Iterate(ctx, lo, hi)
	for {
		info, di, err := it.NextTxn(ctx)
		if err == io.EOF {
			return txns
		}
		if err != nil {
			t.Fatal(err)
		}
		x := txnDump{info: *info}
		x.info.User, x.info.Description, x.info.Extension = bytes.Clone(info.User), bytes.Clone(info.Description), bytes.Clone(info.Extension)
		for {
			d, err := di.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			r := *d
			r.Data = bytes.Clone(d.Data)
			x.recs = append(x.recs, r)
		}
		txns = append(txns, x)
	}
}

// checkSameAfter checks that the transactions after packTid are those of
// orig: same metadata, same records with the same data; backpointers to
// the same transactions unless copyIn (a pack without GC copies in the
// data of revisions it dropped).
func checkSameAfter(t *testing.T, orig, packed *FileStorage, packTid zodb.Tid, copyIn bool) {
	t.Helper()
	want := packDump(t, orig, packTid+1, zodb.TidMax)
	got := packDump(t, packed, packTid+1, zodb.TidMax)
	if len(got) != len(want) {
		t.Fatalf("%d transactions after the pack time, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.info.Tid != w.info.Tid || g.info.Status != w.info.Status || !bytes.Equal(g.info.User, w.info.User) ||
			!bytes.Equal(g.info.Description, w.info.Description) || !bytes.Equal(g.info.Extension, w.info.Extension) {
			t.Errorf("transaction %d: %+v, want %+v", i, g.info, w.info)
		}
		if len(g.recs) != len(w.recs) {
			t.Errorf("transaction %s: %d records, want %d", w.info.Tid, len(g.recs), len(w.recs))
			continue
		}
		for j := range g.recs {
			a, b := g.recs[j], w.recs[j]
			sameTid := a.DataTid == b.DataTid || (copyIn && a.DataTid == 0)
			if a.Oid != b.Oid || a.Tid != b.Tid || !sameTid || !bytes.Equal(a.Data, b.Data) {
				t.Errorf("transaction %s record %d: oid %s data-tid %s, want oid %s data-tid %s; same data: %v",
					w.info.Tid, j, a.Oid, a.DataTid, b.Oid, b.DataTid, bytes.Equal(a.Data, b.Data))
			}
		}
	}
}

// reachableAt returns the objects reachable from the root at `at`, as
// Load and zpickle.Refs see them; objects that do not exist are left out.
func reachableAt(t *testing.T, fs *FileStorage, at zodb.Tid) map[zodb.Oid]bool {
	t.Helper()
	seen := map[zodb.Oid]bool{}
	todo := []zodb.Oid{0}
	for len(todo) > 0 {
		oid := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[oid] {
			continue
		}
		seen[oid] = true
		data, _, err := fs.Load(ctx, zodb.Xid{At: at, Oid: oid})
		if zodb.IsNoData(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		refs, err := zpickle.Refs(data)
		if err != nil {
			t.Fatal(err)
		}
		todo = append(todo, refs...)
	}
	return seen
}

// checkSameLoad checks that xid loads the same from both storages.
func checkSameLoad(t *testing.T, orig, packed *FileStorage, xid zodb.Xid) {
	t.Helper()
	want, wserial, werr := orig.Load(ctx, xid)
	got, serial, err := packed.Load(ctx, xid)
	switch {
	case werr != nil:
		if !zodb.IsNoData(werr) || !zodb.IsNoData(err) {
			t.Errorf("load %s: %v, want %v", xid, err, werr)
		}
	case err != nil:
		t.Errorf("load %s: %v", xid, err)
	case serial != wserial || !bytes.Equal(got, want):
		t.Errorf("load %s: serial %s, want %s; data equal: %v", xid, serial, wserial, bytes.Equal(got, want))
	}
}

// smallTids returns the tids of small.fs's transactions.
func smallTids(t *testing.T) []zodb.Tid {
	t.Helper()
	var gen struct{ Notes map[string]string }
	if err := json.Unmarshal(mustRead(t, "../testdata/fs1/small/small.gen.json"), &gen); err != nil {
		t.Fatal(err)
	}
	var tids []zodb.Tid
	for _, s := range gen.Notes {
		tid, err := zodb.ParseTid(s)
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, tid)
	}
	slices.Sort(tids)
	return tids
}

// TestPackSmall packs small.fs at each of its transactions and between
// them, with and without GC. With GC, packing at or after T14 fails as in
// Python: the root still refers to the object T14 deleted. Without GC,
// packing at T06..T13 copies in data that undo records after the pack
// time pointed to (Python's pack fails on those with an AssertionError or
// "Invalid backpointer transaction id").
func TestPackSmall(t *testing.T) {
	tids := smallTids(t)
	deleted := tids[14]
	for _, noGC := range []bool{false, true} {
		for _, tid := range tids {
			for _, packTid := range []zodb.Tid{tid - 1, tid} {
				name := fmt.Sprintf("%s/nogc=%v", packTid, noGC)
				t.Run(name, func(t *testing.T) {
					t.Parallel() // the time goes to fsync
					path, res, err := packCopy(t, smallFS, packTid, &PackOptions{NoGC: noGC})
					if !noGC && packTid >= deleted {
						var de *DanglingRefError
						if !errors.As(err, &de) || *de != (DanglingRefError{From: 0, Oid: 0x1c}) {
							t.Fatalf("err %v, want a DanglingRefError from oid 0 to 1c", err)
						}
						checkUnchanged(t, path, smallFS)
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if !res.Packed {
						if packTid >= tids[1] {
							t.Fatalf("not packed: %s", res.Reason)
						}
						checkUnchanged(t, path, smallFS)
						return
					}
					checkPacked(t, smallFS, path, packTid, noGC)
				})
			}
		}
	}
}

// checkUnchanged checks that a pack left the file at path as src and no
// packed file behind.
func checkUnchanged(t *testing.T, path, src string) {
	t.Helper()
	if !bytes.Equal(mustRead(t, path), mustRead(t, src)) {
		t.Error("the data file changed")
	}
	if _, err := os.Stat(path + ".pack"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.pack left behind: %v", path, err)
	}
}

// TestPackTwice packs small.fs twice at the golden time, then at an
// earlier time: the packs after the first change nothing (Python finds the
// first of them frees nothing, the second redundant). Packing packed.fs
// later gives what packing small.fs there directly gives.
func TestPackTwice(t *testing.T) {
	packTid := goldenPackTid(t)
	path, _, err := packCopy(t, smallFS, packTid, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tid    zodb.Tid
		reason string
	}{{packTid, reasonNoGain}, {smallTids(t)[5], reasonRedundant}} {
		fs, _ := openRW(t, path)
		res, err := fs.Pack(ctx, tc.tid, nil)
		fs.Close()
		if err != nil || res.Packed || res.Reason != tc.reason {
			t.Fatalf("pack again at %s: %+v, %v; want not packed: %s", tc.tid, res, err, tc.reason)
		}
		checkUnchanged(t, path, packedFS)
	}
	later := smallTids(t)[12]
	again, _, err := packCopy(t, packedFS, later, nil)
	if err != nil {
		t.Fatal(err)
	}
	direct, _, err := packCopy(t, smallFS, later, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustRead(t, again), mustRead(t, direct)) {
		t.Error("packing packed.fs at T12 differs from packing small.fs at T12")
	}
}

// TestPackNothing packs where there is nothing to remove: the file is
// left as it was, and the result says why.
func TestPackNothing(t *testing.T) {
	first := smallTids(t)[0]
	for _, tc := range []struct {
		name, src string
		packTid   zodb.Tid
		reason    string
	}{
		{"before the first transaction", smallFS, first - 1, reasonNoGain},
		{"at the first transaction", smallFS, first, reasonNoGain},
		{"empty file", "../testdata/fs1/empty/empty.fs", zodb.TidMax, reasonEmpty},
		{"root only", "../testdata/fs1/empty/rootonly.fs", zodb.TidMax, reasonNoGain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, res, err := packCopy(t, tc.src, tc.packTid, nil)
			if err != nil || res.Packed || res.Reason != tc.reason {
				t.Fatalf("%+v, %v; want not packed: %s", res, err, tc.reason)
			}
			checkUnchanged(t, path, tc.src)
		})
	}
}

// TestPackGenerated packs a generated database with garbage, many
// revisions and undo records after the pack time pointing to revisions
// before it, current at the pack time or not.
func TestPackGenerated(t *testing.T) {
	src := filepath.Join(t.TempDir(), "gen.fs")
	db := genPackDB(t, src, 500, 50, 6, 7)
	for _, noGC := range []bool{false, true} {
		t.Run(fmt.Sprintf("nogc=%v", noGC), func(t *testing.T) {
			path, res, err := packCopy(t, src, db.packTid, &PackOptions{NoGC: noGC})
			if err != nil || !res.Packed || res.NewSize >= res.OldSize {
				t.Fatalf("%+v, %v", res, err)
			}
			checkPacked(t, src, path, db.packTid, noGC)
			packed := openRO(t, path)
			defer packed.Close()
			for _, oid := range db.garbage {
				_, _, err := packed.Load(ctx, zodb.Xid{At: db.packTid, Oid: oid})
				if gone := zodb.IsNoData(err); gone == noGC || (!gone && err != nil) {
					t.Errorf("garbage %s at the pack time: %v", oid, err)
				}
			}
		})
	}
}

// TestPackFuture packs at a time after the head: every transaction gets
// status 'p', every object reachable at the head keeps its data, as with
// Python, which takes any pack time.
func TestPackFuture(t *testing.T) {
	src := filepath.Join(t.TempDir(), "gen.fs")
	genPackDB(t, src, 200, 50, 4, 7)
	path, res, err := packCopy(t, src, zodb.TidMax, nil)
	if err != nil || !res.Packed {
		t.Fatalf("%+v, %v", res, err)
	}
	checkPacked(t, src, path, zodb.TidMax-1, false)
}

// TestPackTorn packs a file whose last transaction is torn: as Python's
// read-write open, the storage cuts it off (to data.fs.tr0) before
// packing, and the packed file is packed.fs without its last transaction.
func TestPackTorn(t *testing.T) {
	path := copyFS(t, "../testdata/fs1/truncated/truncated.fs")
	var log bytes.Buffer
	res, err := PackFile(ctx, path, goldenPackTid(t), &PackOptions{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil || !res.Packed {
		t.Fatalf("%+v, %v", res, err)
	}
	packed := mustRead(t, packedFS)
	last := int64(len(mustRead(t, smallFS)) - 29007) // small.fs's last transaction
	if got := mustRead(t, path); !bytes.Equal(got, packed[:int64(len(packed))-last]) {
		t.Errorf("packed torn file: %d bytes, want packed.fs without its last %d", len(got), last)
	}
	if _, err := os.Stat(path + ".tr0"); err != nil {
		t.Errorf("torn tail not saved: %v", err)
	}
	if !strings.Contains(log.String(), "truncated") {
		t.Errorf("no warning about the torn tail: %q", log.String())
	}
}

// TestPackBadInput checks the failures that leave the file as it was.
func TestPackBadInput(t *testing.T) {
	t.Run("unreadable pickle", func(t *testing.T) {
		src := filepath.Join(t.TempDir(), "bad.fs")
		w, done := newTestWriter(t, src)
		w.txn(0x0300000000000001, ' ', "", "", "", testRec{oid: 0, data: []byte("not a pickle")})
		w.txn(0x0300000000000002, ' ', "", "", "", testRec{oid: 0, data: []byte("not a pickle")})
		done()
		path, _, err := packCopy(t, src, 0x0300000000000002, nil)
		if !errors.Is(err, zodb.ErrCorrupt) {
			t.Fatalf("err %v, want ErrCorrupt", err)
		}
		checkUnchanged(t, path, src)
	})
	t.Run("read-only", func(t *testing.T) {
		fs := openRO(t, smallFS)
		defer fs.Close()
		if _, err := fs.Pack(ctx, goldenPackTid(t), nil); !errors.Is(err, zodb.ErrReadOnly) {
			t.Fatalf("err %v, want ErrReadOnly", err)
		}
	})
	t.Run("locked", func(t *testing.T) {
		path := copyFS(t, smallFS)
		fs, _ := openRW(t, path)
		defer fs.Close()
		if _, err := PackFile(ctx, path, goldenPackTid(t), nil); !errors.Is(err, ErrLocked) {
			t.Fatalf("err %v, want ErrLocked", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		path := copyFS(t, smallFS)
		if _, err := PackFile(c, path, goldenPackTid(t), nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
		checkUnchanged(t, path, smallFS)
	})
	t.Run("not a FileStorage", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "data.fs")
		os.WriteFile(path, []byte("junk file"), 0o666)
		if _, err := PackFile(ctx, path, goldenPackTid(t), nil); !errors.Is(err, zodb.ErrCorrupt) {
			t.Fatalf("err %v, want ErrCorrupt", err)
		}
	})
}
