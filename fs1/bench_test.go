package fs1

import (
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// The benchmark database: benchObjects objects written in transactions of
// benchTxnSize records, then benchRevs-1 more revisions of every object;
// in the last pass every benchUndoEvery-th object gets an undo record (a
// backpointer to its previous revision's data) instead of new data.
//
// The number of objects is -benchobjects (default 100,000: a 134 MB file);
// -benchobjects=750000 makes a file of about 1 GB.
var benchObjectsFlag = flag.Int("benchobjects", 100_000, "objects in the fs1 benchmark database")

const (
	benchRevs      = 4
	benchTxnSize   = 100
	benchUndoEvery = 10
)

// benchObjects is -benchobjects, read when the database is generated.
var benchObjects int

var bench struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the benchmark database the run generated.
func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchFile returns the path of the benchmark database, with its index,
// generating it on first use in this run.
func benchFile(b *testing.B) string {
	b.Helper()
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "fs1-bench-")
		if bench.err != nil {
			return
		}
		benchObjects = *benchObjectsFlag
		bench.path = filepath.Join(bench.dir, "data.fs")
		genBenchFile(b, bench.path)
		fs, err := Open(ctx, bench.path, nil) // saves the index
		if err != nil {
			bench.err = err
			return
		}
		bench.err = fs.Close()
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.path
}

func genBenchFile(b *testing.B, path string) {
	w, done := newTestWriter(b, path)
	rnd := rand.New(rand.NewPCG(1, 1))
	blob := make([]byte, 1<<16)
	for i := range blob {
		blob[i] = byte(rnd.Uint32())
	}
	tid := zodb.Tid(0x0300000000000000)
	prev := make([]int64, benchObjects) // each object's record before the current one
	for rev := 0; rev < benchRevs; rev++ {
		for first := 0; first < benchObjects; first += benchTxnSize {
			tid += 1 << 20
			recs := make([]testRec, 0, benchTxnSize)
			for oid := first; oid < first+benchTxnSize; oid++ {
				if rev == benchRevs-1 && oid%benchUndoEvery == 0 {
					recs = append(recs, testRec{oid: zodb.Oid(oid), back: prev[oid]})
					continue
				}
				n := 100 + rnd.IntN(400)
				off := rnd.IntN(len(blob) - n)
				recs = append(recs, testRec{oid: zodb.Oid(oid), data: blob[off : off+n]})
			}
			poss := w.txn(tid, ' ', "bench", "a benchmark transaction", "", recs...)
			for i, pos := range poss {
				if rev < benchRevs-1 {
					prev[first+i] = pos
				}
			}
		}
	}
	done()
}

func benchStorage(b *testing.B) *FileStorage {
	b.Helper()
	fs, err := Open(ctx, benchFile(b), &zodb.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { fs.Close() })
	return fs
}

func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

func benchLoad(b *testing.B, pick func(i int) zodb.Oid, at func(fs *FileStorage) zodb.Tid) {
	fs := benchStorage(b)
	xid := zodb.Xid{At: at(fs)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		xid.Oid = pick(i)
		if _, _, err := fs.Load(ctx, xid); err != nil {
			b.Fatal(err)
		}
	}
}

// oidWithData returns the i-th object whose current revision has data.
func oidWithData(i int) zodb.Oid {
	oid := (i * 7919) % benchObjects
	if oid%benchUndoEvery == 0 {
		oid++
	}
	return zodb.Oid(oid)
}

func head(fs *FileStorage) zodb.Tid { return fs.Head() }

func BenchmarkLoadCurrent(b *testing.B) {
	benchLoad(b, oidWithData, head)
}

// BenchmarkLoadHot loads one object over and over: the cost of Load itself
// with the record in the CPU caches.
func BenchmarkLoadHot(b *testing.B) {
	benchLoad(b, func(int) zodb.Oid { return 12345 }, head)
}

func BenchmarkLoadBackpointer(b *testing.B) {
	benchLoad(b, func(i int) zodb.Oid {
		return zodb.Oid((i * 7919) % benchObjects / benchUndoEvery * benchUndoEvery)
	}, head)
}

// BenchmarkLoadOld loads the first revision of objects: Load walks back
// through benchRevs-1 prev pointers.
func BenchmarkLoadOld(b *testing.B) {
	benchLoad(b, oidWithData, func(fs *FileStorage) zodb.Tid {
		h, err := fs.File().ReadTxnHeader(FileHeaderLen)
		if err != nil {
			b.Fatal(err)
		}
		return h.Tid + zodb.Tid(benchObjects/benchTxnSize)<<20
	})
}

func BenchmarkIterate(b *testing.B) {
	fs := benchStorage(b)
	b.SetBytes(fs.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := fs.Iterate(ctx, 0, zodb.TidMax)
		n := 0
		for {
			_, di, err := it.NextTxn(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			for {
				d, err := di.NextData(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n += len(d.Data)
			}
		}
		if n == 0 {
			b.Fatal("no data")
		}
	}
}

// BenchmarkIterRecords walks the file with the low-level Iter.
func BenchmarkIterRecords(b *testing.B) {
	fs := benchStorage(b)
	b.SetBytes(fs.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := fs.File().Iter(FileHeaderLen, Forward)
		for {
			if _, err := it.NextTxn(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			for {
				if _, err := it.NextData(); err != nil {
					break
				}
				if _, err := it.Data(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func BenchmarkIndexRebuild(b *testing.B) {
	path := benchFile(b)
	f, err := OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(f.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := fsindex.New()
		if _, err := f.scan(ctx, idx, scanState{pos: FileHeaderLen}, nil); err != nil {
			b.Fatal(err)
		}
		if idx.Len() != benchObjects {
			b.Fatalf("%d objects indexed", idx.Len())
		}
	}
}

// BenchmarkIndexLoad loads data.fs.index; bytes are those of the index file.
func BenchmarkIndexLoad(b *testing.B) {
	path := benchFile(b) + ".index"
	b.SetBytes(fileSize(b, path))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := fsindex.LoadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen opens the database with its index: load and check it.
func BenchmarkOpen(b *testing.B) {
	path := benchFile(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs, err := Open(ctx, path, &zodb.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		fs.Close()
	}
}
