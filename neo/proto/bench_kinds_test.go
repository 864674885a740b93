package proto

import (
	"bytes"
	"os"
	"sort"
	"testing"
)

// tracePacketsByKind returns, for every packet code met in the traces, the
// largest recorded packet of that code.
func tracePacketsByKind(b *testing.B) map[uint16][]byte {
	kinds := map[uint16][]byte{}
	for _, name := range traceFiles(b) {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		r := NewReader(bytes.NewReader(data))
		if err := r.ReadHandshake(); err != nil {
			b.Fatal(err)
		}
		for {
			p, err := r.Next()
			if err != nil {
				break
			}
			if len(p.Raw) > len(kinds[p.Code]) {
				kinds[p.Code] = bytes.Clone(p.Raw)
			}
		}
	}
	return kinds
}

// BenchmarkKinds decodes and encodes one recorded packet of every kind met
// in the traces (the largest of its kind), as sub-benchmarks named by the
// packet: Decode parses the frame and the typed arguments, Encode writes
// NEO/py's bytes again.
func BenchmarkKinds(b *testing.B) {
	kinds := tracePacketsByKind(b)
	codes := make([]int, 0, len(kinds))
	for c := range kinds {
		codes = append(codes, int(c))
	}
	sort.Ints(codes)
	for _, c := range codes {
		raw := kinds[uint16(c)]
		name, _ := CodeName(uint16(c))
		b.Run(name+"/Decode", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				p, _, err := ParsePacket(raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
		p, _, err := ParsePacket(raw)
		if err != nil {
			b.Fatal(err)
		}
		m, err := p.Decode()
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 0, len(raw))
		b.Run(name+"/Encode", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendPacket(buf[:0], p.MsgID, m)
			}
		})
	}
}
