package fs1

import (
	"encoding/binary"
	"fmt"
	"os"
)

// packBufLen is how much of the packed file is gathered before it is
// written out.
const packBufLen = 1 << 20

// packOut is the packed file being written (data.fs.pack). Records are
// appended to buf, which is written to the file when full; a transaction's
// length, known only once its records are written, is patched in place,
// and the records of earlier transactions are read back to resolve
// backpointers, whether they are still in buf or already in the file.
type packOut struct {
	f    *os.File
	path string
	buf  []byte
	off  int64 // file position of buf[0]
}

func createPackOut(path string) (*packOut, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return nil, fmt.Errorf("fs1: %w", err)
	}
	return &packOut{f: f, path: path, buf: make([]byte, 0, packBufLen)}, nil
}

// pos returns the position the next byte appended goes to.
func (o *packOut) pos() int64 { return o.off + int64(len(o.buf)) }

// append appends b, and writes out what was gathered when it is enough.
func (o *packOut) append(b []byte) error {
	o.buf = append(o.buf, b...)
	return o.maybeFlush()
}

// maybeFlush writes buf out once it holds packBufLen bytes: callers that
// append to o.buf themselves (with the record encoders) call it after.
func (o *packOut) maybeFlush() error {
	if len(o.buf) < packBufLen {
		return nil
	}
	return o.flush()
}

func (o *packOut) flush() error {
	if len(o.buf) == 0 {
		return nil
	}
	if _, err := o.f.WriteAt(o.buf, o.off); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	o.off += int64(len(o.buf))
	if cap(o.buf) > 4*packBufLen { // a huge record went through
		o.buf = make([]byte, 0, packBufLen)
	}
	o.buf = o.buf[:0]
	return nil
}

// patchU64 overwrites the 8 bytes at pos with v.
func (o *packOut) patchU64(pos int64, v uint64) error {
	if pos >= o.off {
		binary.BigEndian.PutUint64(o.buf[pos-o.off:], v)
		return nil
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	if pos+8 > o.off { // straddles what was written and buf
		if err := o.flush(); err != nil {
			return err
		}
	}
	if _, err := o.f.WriteAt(b[:], pos); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	return nil
}

// readAt fills b with what was written at pos.
func (o *packOut) readAt(b []byte, pos int64) error {
	if pos+int64(len(b)) > o.off && pos < o.off {
		if err := o.flush(); err != nil {
			return err
		}
	}
	if pos >= o.off {
		copy(b, o.buf[pos-o.off:])
		return nil
	}
	if _, err := o.f.ReadAt(b, pos); err != nil {
		return fmt.Errorf("fs1: %s: reading back @%d: %w", o.path, pos, err)
	}
	return nil
}

// finish writes out the rest and, if sync, waits for the disk.
func (o *packOut) finish(sync bool) error {
	if err := o.flush(); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	return nil
}

// close closes the file; remove also deletes it (a pack that failed or
// found nothing to do).
func (o *packOut) close(remove bool) error {
	err := o.f.Close()
	if remove {
		os.Remove(o.path)
	}
	if err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	return nil
}
