package fsindex

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"

	"github.com/zodbneo/zodbneo/zodb"
)

// Save writes the index in the stream form Python 3 ZODB's fsIndex.save
// writes, byte for byte: pickle protocol 3, Pickler.fast (see doc.go).
//
// It fails, writing nothing useful, if TopPos or a position is negative or
// does not fit in the 6 bytes Python keeps.
func (x *Index) Save(w io.Writer) error {
	if err := x.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	p := pickler{w: bw}
	p.begin()
	p.int(x.TopPos)
	p.end()

	var keys, vals []byte
	curPrefix := uint64(0)
	flush := func() {
		if len(keys) == 0 {
			return
		}
		var pfx [8]byte
		binary.BigEndian.PutUint64(pfx[:], curPrefix)
		p.begin()
		p.bytes(pfx[8-prefixLen:])
		p.bytes2(keys, vals)
		p.op(opTuple2)
		p.end()
		keys, vals = keys[:0], vals[:0]
	}
	x.Each(func(oid zodb.Oid, pos int64) bool {
		if prefix := uint64(oid) >> (8 * suffixLen); prefix != curPrefix {
			flush()
			curPrefix = prefix
		}
		keys = binary.BigEndian.AppendUint16(keys, uint16(oid))
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(pos))
		vals = append(vals, b[8-posLen:]...)
		return true
	})
	flush()

	p.begin()
	p.op(opNone)
	p.end()
	if p.err != nil {
		return fmt.Errorf("fsindex: save: %w", p.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("fsindex: save: %w", err)
	}
	return nil
}

// Validate reports whether the index can be saved: TopPos and every
// position must be in [0, 2**48).
func (x *Index) Validate() error {
	if x.TopPos < 0 || x.TopPos > maxPos {
		return fmt.Errorf("fsindex: pos %d out of range [0, 2**48)", x.TopPos)
	}
	var err error
	x.Each(func(oid zodb.Oid, pos int64) bool {
		if pos < 0 || pos > maxPos {
			err = fmt.Errorf("fsindex: oid %s: pos %d out of range [0, 2**48)", oid, pos)
			return false
		}
		return true
	})
	return err
}

// SaveFile writes the index to path atomically, as Python's FileStorage
// does: to <path>.index_tmp first, then renamed over path. The temporary
// file is synced before the rename so that a crash leaves either the old
// index or the complete new one.
func (x *Index) SaveFile(path string) (err error) {
	tmp := path + ".index_tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("fsindex: %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("fsindex: %s: %w", path, err)
		}
	}()
	if err = x.Save(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some
// filesystems refuse to fsync a directory, and the index is only a cache
// that FileStorage can rebuild.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}

// pickler writes the few pickle opcodes Save needs, as Python 3's Pickler
// writes them with protocol 3 and fast mode (no memo). Its first error
// sticks.
type pickler struct {
	w   *bufio.Writer
	err error
}

func (p *pickler) write(b ...byte) {
	if p.err == nil {
		_, p.err = p.w.Write(b)
	}
}

func (p *pickler) op(op byte) { p.write(op) }

// begin and end frame one pickle: every dump() call starts with PROTO.
func (p *pickler) begin() { p.write(opProto, saveProtocol) }
func (p *pickler) end()   { p.write(opStop) }

// int writes n as Python's save_long does: the shortest of BININT1,
// BININT2, BININT, then LONG1 with the minimal little-endian two's
// complement bytes.
func (p *pickler) int(n int64) {
	switch {
	case n >= 0 && n <= 0xff:
		p.write(opBinInt1, byte(n))
	case n >= 0 && n <= 0xffff:
		p.write(opBinInt2, byte(n), byte(n>>8))
	case n >= -1<<31 && n < 1<<31:
		p.write(opBinInt)
		p.write(binary.LittleEndian.AppendUint32(nil, uint32(n))...)
	default:
		// Only non-negative n reach here from Save (Validate).
		size := (bits.Len64(uint64(n)) >> 3) + 1
		var b [9]byte
		binary.LittleEndian.PutUint64(b[:8], uint64(n))
		p.write(opLong1, byte(size))
		p.write(b[:size]...)
	}
}

// bytes writes b as a py3 bytes object.
func (p *pickler) bytes(b []byte) { p.bytes2(b, nil) }

// bytes2 writes the concatenation a+b as one bytes object without
// building it.
func (p *pickler) bytes2(a, b []byte) {
	n := len(a) + len(b)
	switch {
	case n < 256:
		p.write(opShortBinBytes, byte(n))
	case uint64(n) <= 0xffffffff:
		p.write(opBinBytes)
		p.write(binary.LittleEndian.AppendUint32(nil, uint32(n))...)
	default:
		p.err = errors.New("bucket too large") // cannot happen: ≤ 65536 entries
		return
	}
	p.write(a...)
	p.write(b...)
}
