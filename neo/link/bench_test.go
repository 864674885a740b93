package link

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// benchAsk runs b.N Asks of msg spread over callers goroutines.
func benchAsk(b *testing.B, msg proto.Msg, data []byte, callers int) {
	cl, _ := pair(b, Options{Handler: echoHandler(nil, data)}, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := 0; c < callers; c++ {
		n := b.N / callers
		if c < b.N%callers {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				if _, err := cl.Ask(ctx, msg); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAskPing1(b *testing.B)  { benchAsk(b, ping(), nil, 1) }
func BenchmarkAskPing64(b *testing.B) { benchAsk(b, ping(), nil, 64) }

var data4k = bytes.Repeat([]byte{0x55}, 4096)

func BenchmarkAskObject4K1(b *testing.B) {
	b.SetBytes(4096)
	benchAsk(b, &proto.AskObject{Oid: 1}, data4k, 1)
}

func BenchmarkAskObject4K64(b *testing.B) {
	b.SetBytes(4096)
	benchAsk(b, &proto.AskObject{Oid: 1}, data4k, 64)
}

// benchTCP is a plain TCP ping-pong: the client writes req bytes, the
// server reads them and writes resp bytes back.
func benchTCP(b *testing.B, req, resp int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		in, out := make([]byte, req), make([]byte, resp)
		for {
			if _, err := io.ReadFull(c, in); err != nil {
				return
			}
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	in, out := make([]byte, resp), make([]byte, req)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(out); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, in); err != nil {
			b.Fatal(err)
		}
	}
}

// Sizes of the packets above: Ping/Pong are 4 bytes, AskObject 30 and its
// AnswerObject about 4.2 KiB.
func BenchmarkTCPPingPong(b *testing.B) { benchTCP(b, 4, 4) }

func BenchmarkTCP4K(b *testing.B) {
	b.SetBytes(4096)
	req := len(proto.AppendPacket(nil, 0, &proto.AskObject{Oid: 1}))
	resp := len(proto.AppendPacket(nil, 0, &proto.AnswerObject{Checksum: make([]byte, 20), Data: data4k}))
	benchTCP(b, req, resp)
}
