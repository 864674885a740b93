package fs1

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The pack benchmark's database: -packobjects leaf objects (100,000 by
// default) under containers of 100 under the root, 4 revisions each (two
// before the pack time, two after), a tenth of the first container's
// leaves garbage, every 7th leaf with undo records after the pack time.
var packObjectsFlag = flag.Int("packobjects", 100_000, "objects in the fs1 pack benchmark database")

// BenchmarkPack packs a fresh copy of the database at its pack time per
// iteration; the copy and the open are not timed. SetBytes is the size
// of the file before the pack.
func BenchmarkPack(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "src.fs")
	db := genPackDB(b, src, *packObjectsFlag, 100, 4, 7)
	fs, err := Open(ctx, src, nil) // writes src.fs.index
	if err != nil {
		b.Fatal(err)
	}
	fs.Close()
	raw, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	idx, err := os.ReadFile(src + ".index")
	if err != nil {
		b.Fatal(err)
	}
	for _, noGC := range []bool{false, true} {
		b.Run(fmt.Sprintf("nogc=%v", noGC), func(b *testing.B) {
			path := filepath.Join(dir, "data.fs")
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			var res *PackResult
			for b.Loop() {
				b.StopTimer()
				for _, f := range []struct {
					path string
					b    []byte
				}{{path, raw}, {path + ".index", idx}} {
					if err := os.WriteFile(f.path, f.b, 0o666); err != nil {
						b.Fatal(err)
					}
				}
				fs, err := OpenWith(ctx, path, &Options{Sync: SyncNone})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err = fs.Pack(ctx, db.packTid, &PackOptions{NoGC: noGC, RemoveOld: true})
				if err != nil || !res.Packed {
					b.Fatal(res, err)
				}
				b.StopTimer()
				fs.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(res.NewSize)/float64(res.OldSize), "new/old")
		})
	}
}
