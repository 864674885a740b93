package fs1tools

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// writeBenchFS writes a valid FileStorage of ntxn transactions of nrec
// object records each (every record a small two-pickle object of class
// bench.Item, oids cycling through 4*nrec objects) and returns its size.
func writeBenchFS(path string, ntxn, nrec int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	w.WriteString("FS30")
	data := []byte("\x80\x03cbench\nItem\nq\x00.\x80\x03}q\x01X\x01\x00\x00\x00vq\x02K\x07s.")
	user, desc := []byte("bench"), []byte("benchmark transaction")
	pos := int64(4)
	prev := map[uint64]int64{}
	be := binary.BigEndian
	for i := 0; i < ntxn; i++ {
		tid := uint64(0x03f5945000000000) + uint64(i)
		recLen := int64(42 + len(data))
		tl := int64(23+len(user)+len(desc)) + int64(nrec)*recLen
		var h [23]byte
		be.PutUint64(h[0:], tid)
		be.PutUint64(h[8:], uint64(tl))
		h[16] = ' '
		be.PutUint16(h[17:], uint16(len(user)))
		be.PutUint16(h[19:], uint16(len(desc)))
		w.Write(h[:])
		w.Write(user)
		w.Write(desc)
		rpos := pos + 23 + int64(len(user)+len(desc))
		for j := 0; j < nrec; j++ {
			oid := uint64((i*nrec + j) % (4 * nrec))
			var d [42]byte
			be.PutUint64(d[0:], oid)
			be.PutUint64(d[8:], tid)
			be.PutUint64(d[16:], uint64(prev[oid]))
			be.PutUint64(d[24:], uint64(pos))
			be.PutUint64(d[34:], uint64(len(data)))
			w.Write(d[:])
			w.Write(data)
			prev[oid] = rpos
			rpos += recLen
		}
		var t [8]byte
		be.PutUint64(t[:], uint64(tl))
		w.Write(t[:])
		pos += tl + 8
	}
	return pos, w.Flush()
}

// benchFS returns a FileStorage of about 13 MB, 10,000 transactions of 10
// records.
func benchFS(b *testing.B) (string, int64) {
	path := filepath.Join(b.TempDir(), "bench.fs")
	size, err := writeBenchFS(path, 10000, 10)
	if err != nil {
		b.Fatal(err)
	}
	return path, size
}

func BenchmarkDump(b *testing.B) {
	path, size := benchFS(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Dump(io.Discard, path, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDumpVerbose(b *testing.B) {
	path, size := benchFS(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := DumpVerbose(io.Discard, path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReindex(b *testing.B) {
	path, size := benchFS(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Reindex(b.Context(), path, nil); err != nil {
			b.Fatal(err)
		}
	}
}
