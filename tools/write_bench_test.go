package tools

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// genDump returns the dump of a generated database: 1000 transactions of
// 20 objects of about 1 KiB (some 30 MB).
func genDump(b *testing.B) []byte {
	b.Helper()
	stor, _ := genStorage(1000, 20, 1024)
	var dump bytes.Buffer
	if err := Dump(context.Background(), &dump, stor, 0, zodb.TidMax, nil); err != nil {
		b.Fatal(err)
	}
	return dump.Bytes()
}

// syncModes are the fs1 durabilities benchmarked: none measures the
// tools and the writer, finish adds Python's one wait for the disk per
// transaction.
var syncModes = []struct {
	name string
	mode fs1.SyncMode
}{{"sync=none", fs1.SyncNone}, {"sync=finish", fs1.SyncFinish}}

// newFS1 creates a FileStorage for writing in dir.
func newFS1(b *testing.B, dir string, mode fs1.SyncMode) *fs1.FileStorage {
	b.Helper()
	path := filepath.Join(dir, "data.fs")
	for _, p := range []string{path, path + ".index"} {
		os.Remove(p)
	}
	fs, err := fs1.OpenWith(context.Background(), path, &fs1.Options{Sync: mode})
	if err != nil {
		b.Fatal(err)
	}
	return fs
}

// BenchmarkDumpReader measures reading a dump, over its size (MB/s).
func BenchmarkDumpReader(b *testing.B) {
	dump := genDump(b)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDumpReader(bytes.NewReader(dump), "")
		for {
			if _, err := d.ReadTxn(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRestore measures restoring a dump into a new FileStorage, over
// the dump's size (MB/s).
func BenchmarkRestore(b *testing.B) {
	dump := genDump(b)
	dir := b.TempDir()
	for _, sm := range syncModes {
		b.Run(sm.name, func(b *testing.B) {
			b.SetBytes(int64(len(dump)))
			b.ReportAllocs()
			for b.Loop() {
				fs := newFS1(b, dir, sm.mode)
				if err := Restore(context.Background(), fs, bytes.NewReader(dump), nil); err != nil {
					b.Fatal(err)
				}
				if err := fs.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConvert measures copying a FileStorage into a new one, over
// the source's size (MB/s). The source is made by restoring a generated
// dump.
func BenchmarkConvert(b *testing.B) {
	ctx := context.Background()
	srcDir, dir := b.TempDir(), b.TempDir()
	src := newFS1(b, srcDir, fs1.SyncNone)
	if err := Restore(ctx, src, bytes.NewReader(genDump(b)), nil); err != nil {
		b.Fatal(err)
	}
	src.Close()
	stor, err := fs1.Open(ctx, filepath.Join(srcDir, "data.fs"), &zodb.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer stor.Close()
	for _, sm := range syncModes {
		b.Run(sm.name, func(b *testing.B) {
			b.SetBytes(stor.Size())
			b.ReportAllocs()
			for b.Loop() {
				dst := newFS1(b, dir, sm.mode)
				st, err := Convert(ctx, stor, dst, nil)
				if err != nil || st.Copied != 1000 {
					b.Fatal(st, err)
				}
				if err := dst.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
