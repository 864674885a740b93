package proto

import (
	"bytes"
	"testing"
)

func answerObject4K() *AnswerObject {
	return &AnswerObject{
		Oid: 0x1234, Serial: 0x040d3c8fbb037ca8, NextSerial: NoTid, Compression: 0,
		Checksum: bytes.Repeat([]byte{0xab}, 20), Data: bytes.Repeat([]byte("x"), 4096), DataSerial: NoTid,
	}
}

func BenchmarkAnswerObjectEncode(b *testing.B) {
	m := answerObject4K()
	buf := make([]byte, 0, 8192)
	b.SetBytes(int64(len(AppendPacket(nil, 7, m))))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendPacket(buf[:0], 7, m)
	}
}

func BenchmarkAnswerObjectDecode(b *testing.B) {
	raw := AppendPacket(nil, 7, answerObject4K())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var m AnswerObject
	for b.Loop() {
		p, _, err := ParsePacket(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.DecodeArgs(p.Args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnswerObjectRead reads the packet from a stream and decodes it
// through Packet.Decode, as a client would.
func BenchmarkAnswerObjectRead(b *testing.B) {
	raw := AppendPacket(nil, 7, answerObject4K())
	stream := append(append([]byte{}, Handshake...), bytes.Repeat(raw, 64)...)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var br bytes.Reader
	var r *Reader
	i := 64
	for b.Loop() {
		if i == 64 {
			br.Reset(stream)
			r = NewReader(&br)
			if err := r.ReadHandshake(); err != nil {
				b.Fatal(err)
			}
			i = 0
		}
		p, err := r.Next()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Decode(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
