package proto

import (
	"errors"
	"fmt"
	"io"
)

// DefaultMaxPacket is the largest packet a Reader accepts by default:
// NEO/py's unpacker max_buffer_size, 64 MiB.
const DefaultMaxPacket = 64 << 20

// ErrTooLarge reports a packet larger than the Reader's limit.
var ErrTooLarge = errors.New("proto: packet too large")

// Reader reads one direction of a NEO connection: the handshake, then one
// packet at a time. It keeps its first error; once Next fails it always
// fails. A Reader is not safe for concurrent use.
type Reader struct {
	r        io.Reader
	buf      []byte // buf[pos:] is read but not yet returned
	pos      int
	off      int64 // stream offset of buf[pos]
	last     int64 // stream offset of the last packet returned
	max      int
	scan     scanner // where the scan of an incomplete packet got to
	err      error
	shakeErr error
}

// NewReader returns a Reader over r with the DefaultMaxPacket limit.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, max: DefaultMaxPacket}
}

// SetMaxPacket sets the largest packet size accepted, in bytes.
func (r *Reader) SetMaxPacket(n int) { r.max = n }

// Offset returns the stream offset of the last packet Next returned.
func (r *Reader) Offset() int64 { return r.last }

// fill reads more bytes, growing the buffer when it is full. It returns
// io.EOF only when the stream ended.
func (r *Reader) fill() error {
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:])
		r.buf = r.buf[:n]
		r.pos = 0
	}
	if len(r.buf) == cap(r.buf) {
		c := 2 * cap(r.buf)
		if c < 4096 {
			c = 4096
		}
		if c > r.max+1 && cap(r.buf) < r.max+1 {
			c = r.max + 1
		}
		nb := make([]byte, len(r.buf), c)
		copy(nb, r.buf)
		r.buf = nb
	}
	n, err := r.r.Read(r.buf[len(r.buf):cap(r.buf)])
	r.buf = r.buf[:len(r.buf)+n]
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// ReadHandshake reads and checks the peer's handshake (see
// CheckHandshake).
func (r *Reader) ReadHandshake() error {
	if r.err != nil {
		return r.err
	}
	for len(r.buf)-r.pos < HandshakeLen {
		if have := r.buf[r.pos:]; !bytesPrefix(have, Handshake) {
			return r.fail(fmt.Errorf("%w: handshake % x, want % x", ErrNotNEO, have, Handshake))
		}
		if err := r.fill(); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return r.fail(fmt.Errorf("proto: handshake: truncated after %d bytes: %w", len(r.buf)-r.pos, err))
		}
	}
	if err := CheckHandshake(r.buf[r.pos:]); err != nil {
		r.err = err
		return err
	}
	r.pos += HandshakeLen
	r.off += HandshakeLen
	return nil
}

func bytesPrefix(b, full []byte) bool {
	return len(b) <= len(full) && string(b) == string(full[:len(b)])
}

// Next returns the next packet. Its Args and Raw are valid until the next
// call. At the clean end of the stream it returns io.EOF; a stream ending
// inside a packet gives an error wrapping io.ErrUnexpectedEOF, a packet
// over the size limit one wrapping ErrTooLarge.
func (r *Reader) Next() (Packet, error) {
	if r.err != nil {
		return Packet{}, r.err
	}
	for {
		n, err := r.scan.scan(r.buf[r.pos:])
		var p Packet
		if err == nil {
			p, n, err = parseFramed(r.buf[r.pos:], n)
		}
		if err == nil {
			if n > r.max {
				return Packet{}, r.fail(fmt.Errorf("%w: at offset %d: %d bytes, limit %d", ErrTooLarge, r.off, n, r.max))
			}
			r.last = r.off
			r.pos += n
			r.off += int64(n)
			return p, nil
		}
		if !errors.Is(err, errIncomplete) {
			return Packet{}, r.fail(fmt.Errorf("proto: packet at offset %d: %w", r.off, err))
		}
		need := bytesNeeded(err, len(r.buf)-r.pos)
		if need > r.max {
			return Packet{}, r.fail(fmt.Errorf("%w: at offset %d: over %d bytes", ErrTooLarge, r.off, r.max))
		}
		// Read until the packet can be complete before parsing it again.
		for len(r.buf)-r.pos < need {
			if err := r.fill(); err != nil {
				if err == io.EOF {
					if len(r.buf) == r.pos {
						return Packet{}, r.fail(io.EOF)
					}
					err = io.ErrUnexpectedEOF
				}
				return Packet{}, r.fail(fmt.Errorf("proto: packet at offset %d: truncated after %d bytes: %w", r.off, len(r.buf)-r.pos, err))
			}
		}
	}
}

func (r *Reader) fail(err error) error {
	r.err = err
	return err
}
