package proto

import (
	"github.com/zodbneo/zodbneo/zodb"

	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(data []byte, max int) (int, error) {
	r := NewReader(bytes.NewReader(data))
	if max > 0 {
		r.SetMaxPacket(max)
	}
	if err := r.ReadHandshake(); err != nil {
		return 0, err
	}
	n := 0
	for {
		p, err := r.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if _, err := p.Decode(); err != nil {
			return n, err
		}
		n++
	}
}

func TestStreamErrors(t *testing.T) {
	good, err := os.ReadFile("../../testdata/neo/s2-client-commit-load/conn06.storage1-to-client-C1.bin")
	if err != nil {
		t.Fatal(err)
	}
	hs := string(Handshake)
	for _, tc := range []struct {
		name string
		data string
		max  int
		is   error
		want string
	}{
		{"truncated", string(good[:len(good)-1]), 0, io.ErrUnexpectedEOF, "truncated after"},
		{"oversized", string(good), 100, ErrTooLarge, "packet too large"},
		{"not an array", hs + "\x05", 0, nil, "want an array"},
		{"two items", hs + "\x92\x01\x02", 0, nil, "packet is an array of 2 items"},
		{"bad byte", hs + "\x93\x01\xc1", 0, nil, "invalid msgpack byte 0xc1"},
		{"unknown code", hs + "\x93\x01\x7f\x90", 0, nil, "unknown packet code 0x7f"},
		{"negative id", hs + "\x93\xff\x02\x90", 0, nil, "msg_id -1 out of range"},
		{"args not array", hs + "\x93\x01\x02\xc0", 0, nil, "want an array"},
		{"Ping with args", hs + "\x93\x01\x02\x91\x01", 0, nil, "Ping (msg_id 1): args at byte 1: 1 arguments, want 0"},
		{"bad enum", hs + "\x93\x01\x2d\x91\xd4\x01\x09", 0, nil, "want enum type 1"},
		{"short tid", hs + "\x93\x01\x12\x91\xc4\x01\x00", 0, nil, "want 8 bytes, got 1"},
		{"huge bin", hs + "\x93\x01\x12\x91\xc6\xff\xff\xff\xff", 0, nil, "msgpack length 4294967295 too large"},
		{"huge array", hs + "\x93\x01\x12\xdd\x7f\xff\xff\xff", 1 << 10, io.ErrUnexpectedEOF, ""},
		{"claims 2 MB", hs + "\x93\x01\x12\x91\xc6\x00\x20\x00\x00" + strings.Repeat("x", 4096), 1 << 10, ErrTooLarge, "packet too large: at offset 6: over 1024 bytes"},
		{"deep", hs + "\x93\x01\x12" + strings.Repeat("\x91", 100), 0, nil, "nested deeper"},
	} {
		_, err := readAll([]byte(tc.data), tc.max)
		if err == nil || !strings.HasPrefix(err.Error(), "proto: ") || !strings.Contains(err.Error(), tc.want) ||
			(tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("%s: got %v, want %q (%v)", tc.name, err, tc.want, tc.is)
		}
		if testing.Verbose() {
			t.Logf("%s: %v", tc.name, err)
		}
	}
	// One byte at a time, packets spanning reads decode the same.
	r := NewReader(iotest.OneByteReader(bytes.NewReader(good)))
	if err := r.ReadHandshake(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if m, _ := readAll(good, 0); m != n || n == 0 {
		t.Errorf("one byte at a time: %d packets, want %d", n, m)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range traceFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 2048 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		r.SetMaxPacket(1 << 20)
		if r.ReadHandshake() != nil {
			return
		}
		for {
			p, err := r.Next()
			if err != nil {
				return
			}
			m, err := p.Decode()
			if err != nil {
				continue
			}
			_ = Format(m)
			// A decoded packet re-encodes to bytes that decode to the same
			// encoding again (canonical after one round).
			b := AppendPacket(nil, p.MsgID, m)
			p2, n, err := ParsePacket(b)
			if err != nil || n != len(b) {
				t.Fatalf("re-encoded % x: %v", b, err)
			}
			m2, err := p2.Decode()
			if err != nil {
				t.Fatalf("re-encoded % x: %v", b, err)
			}
			if b2 := AppendPacket(nil, p2.MsgID, m2); !bytes.Equal(b, b2) {
				t.Fatalf("not stable:\n% x\n% x", b, b2)
			}
		}
	})
}

// chunkReader returns at most n bytes per Read, as a socket does.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(b []byte) (int, error) {
	if len(b) > c.n {
		b = b[:c.n]
	}
	return c.r.Read(b)
}

// A packet of many small items arriving in small reads decodes, and the
// reader waits for the bytes it knows are missing instead of parsing the
// partial packet again after every read.
func TestStreamLargePacketChunked(t *testing.T) {
	m := &TidList{PacketCode: CodeAnswerTIDs}
	for i := 0; i < 100_000; i++ {
		m.Tids = append(m.Tids, zodb.Tid(i+1))
	}
	stream := AppendPacket(append([]byte(nil), Handshake...), 7, m)
	r := NewReader(chunkReader{bytes.NewReader(stream), 512})
	if err := r.ReadHandshake(); err != nil {
		t.Fatal(err)
	}
	p, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if l := got.(*TidList); len(l.Tids) != 100_000 || l.Tids[99_999] != 100_000 {
		t.Fatalf("decoded %d tids", len(l.Tids))
	}
	// cut in the middle: a clear error, not a hang
	r = NewReader(chunkReader{bytes.NewReader(stream[:len(stream)/2]), 512})
	if err := r.ReadHandshake(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut packet: %v, want ErrUnexpectedEOF", err)
	}
}

// readRaw reads every packet of a stream and the error it ends with.
func readRaw(r io.Reader) (raws [][]byte, end error) {
	pr := NewReader(r)
	pr.SetMaxPacket(1 << 20)
	if err := pr.ReadHandshake(); err != nil {
		return nil, err
	}
	for {
		p, err := pr.Next()
		if err != nil {
			return raws, err
		}
		raws = append(raws, bytes.Clone(p.Raw))
	}
}

// FuzzChunkedRead checks that the resumable scan gives the same packets,
// and the same kind of end, whatever sizes the reads come in.
func FuzzChunkedRead(f *testing.F) {
	for _, name := range traceFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 2048 {
			f.Add(uint8(7), data)
		}
	}
	f.Fuzz(func(t *testing.T, chunk uint8, data []byte) {
		whole, end1 := readRaw(bytes.NewReader(data))
		parts, end2 := readRaw(chunkReader{bytes.NewReader(data), int(chunk)%64 + 1})
		if len(whole) != len(parts) {
			t.Fatalf("%d packets whole, %d in chunks of %d", len(whole), len(parts), int(chunk)%64+1)
		}
		for i := range whole {
			if !bytes.Equal(whole[i], parts[i]) {
				t.Fatalf("packet %d differs", i)
			}
		}
		if (end1 == io.EOF) != (end2 == io.EOF) ||
			errors.Is(end1, io.ErrUnexpectedEOF) != errors.Is(end2, io.ErrUnexpectedEOF) {
			t.Fatalf("ends differ: %v / %v", end1, end2)
		}
	})
}
