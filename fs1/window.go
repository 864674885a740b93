package fs1

import (
	"io"
)

// windowSize is how much a window reads at once: large enough that a scan
// costs few system calls, small enough to stay in cache.
const windowSize = 1 << 20

// window buffers reads of one region of a file at a time, so that walking
// records forwards or backwards reads the file in large blocks.
type window struct {
	r   io.ReaderAt
	buf []byte
	off int64 // file position of buf[0]
	n   int   // valid bytes in buf
}

// peek returns the n bytes at pos. The caller has checked that they lie
// before limit, the size of the file it reads. backward says that the
// next reads will be before pos, so a refill ends the window at pos+n
// instead of starting it at pos. The returned slice is valid until the
// next call.
func (w *window) peek(pos int64, n int, limit int64, backward bool) ([]byte, error) {
	if pos >= w.off && pos+int64(n) <= w.off+int64(w.n) {
		i := pos - w.off
		return w.buf[i : i+int64(n)], nil
	}
	if n > len(w.buf) {
		// a small file needs no more than its size
		w.buf = make([]byte, max(n, int(min(windowSize, limit))))
	}
	start := pos
	if backward {
		start = max(pos+int64(n)-int64(len(w.buf)), 0)
	}
	end := min(start+int64(len(w.buf)), limit)
	if end < pos+int64(n) {
		return nil, tornf("read of %d bytes past the end of the file (size %d)", n, limit)
	}
	got, err := w.r.ReadAt(w.buf[:end-start], start)
	if got < int(end-start) {
		w.n = 0
		if err == nil || err == io.EOF {
			err = tornf("file shrank: read %d of %d bytes", got, end-start)
		}
		return nil, err
	}
	w.off, w.n = start, got
	i := pos - start
	return w.buf[i : i+int64(n)], nil
}

// reset forgets what the window holds, keeping its buffer.
func (w *window) reset() { w.n = 0 }
