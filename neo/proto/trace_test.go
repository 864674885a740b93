package proto

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// traceFiles lists the captured streams of NEO/py traffic (one direction
// of one connection each, handshake first).
func traceFiles(t testing.TB) []string {
	files, err := filepath.Glob("../../testdata/neo/*/*.bin")
	if err != nil || len(files) == 0 {
		t.Fatalf("no trace files: %v", err)
	}
	return files
}

// roundTrip decodes every packet of a stream and checks that it
// re-encodes byte for byte. It returns the number of packets and of typed
// packets.
func roundTrip(t *testing.T, data []byte) (n, typed int) {
	t.Helper()
	r := NewReader(bytes.NewReader(data))
	if err := r.ReadHandshake(); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.Next()
		if err == io.EOF {
			return n, typed
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		m, err := p.Decode()
		if err != nil {
			t.Fatalf("offset %d: %v", r.Offset(), err)
		}
		if _, ok := m.(*Generic); !ok {
			typed++
		}
		got := AppendPacket(nil, p.MsgID, m)
		if !bytes.Equal(got, p.Raw) {
			t.Fatalf("offset %d: %s re-encodes differently:\n got % x\nwant % x", r.Offset(), p.Name(), got, p.Raw)
		}
	}
}

func TestTraces(t *testing.T) {
	total, typed := 0, 0
	for _, f := range traceFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			n, k := roundTrip(t, data)
			total += n
			typed += k
		})
	}
	t.Logf("%d packets, %d typed", total, typed)
}

func TestHandshake(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want error
	}{
		{[]byte{0x92, 0xa3, 'N', 'E', 'O', 5}, nil},
		{[]byte{0x92, 0xa3, 'N', 'E', 'O', 4}, ErrVersion},
		{[]byte{0x92, 0xa3, 'N', 'E', 'O', 0xcc}, ErrVersion},
		{[]byte("GET / HTTP/1.1\r\n"), ErrNotNEO},
		{[]byte{0x16, 3, 1}, ErrNotNEO},
		{[]byte{0x92, 0xa3}, io.ErrUnexpectedEOF},
		{nil, io.ErrUnexpectedEOF},
	} {
		r := NewReader(bytes.NewReader(tc.in))
		err := r.ReadHandshake()
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("% x: got %v, want %v", tc.in, err, tc.want)
		}
	}
	if err := CheckHandshake(Handshake); err != nil {
		t.Error(err)
	}
}
