package link

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

func ping() proto.Msg { return &proto.NoArgs{PacketCode: proto.CodePing} }
func pong() proto.Msg { return &proto.NoArgs{PacketCode: proto.CodePong} }

// echoHandler answers Ping with Pong and AskObject with an AnswerObject of
// the same oid, and passes notifications to notes.
func echoHandler(notes chan<- Request, data []byte) Handler {
	return HandlerFunc(func(l *Link, req Request) {
		switch m := req.Msg.(type) {
		case *proto.AskObject:
			l.Answer(req, &proto.AnswerObject{Oid: m.Oid, Serial: 1, NextSerial: zodb.Tid(1<<64 - 1),
				Checksum: make([]byte, 20), Data: data})
		default:
			if req.Msg.Code() == proto.CodePing {
				l.Answer(req, pong())
			} else if notes != nil {
				notes <- req
			}
		}
	})
}

// pair returns the client and server ends of a link over loopback TCP.
func pair(t testing.TB, server, client Options) (*Link, *Link) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		l   *Link
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- res{err: err}
			return
		}
		l, err := NewLink(c, server)
		ch <- res{l, err}
	}()
	cl, err := Dial(context.Background(), "tcp", ln.Addr().String(), client)
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { cl.Close(); r.l.Close() })
	return cl, r.l
}

// rawServer accepts one connection and runs f on it.
func rawServer(t *testing.T, f func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		f(c)
	}()
	return ln.Addr().String()
}

func TestAskAnswer(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 4096)
	cl, _ := pair(t, Options{Handler: echoHandler(nil, data)}, Options{})
	ctx := context.Background()
	m, err := cl.Ask(ctx, ping())
	if err != nil || m.Code() != proto.CodePong {
		t.Fatalf("Ask(Ping) = %v, %v", m, err)
	}
	m, err = cl.Ask(ctx, &proto.AskObject{Oid: 7})
	if err != nil {
		t.Fatal(err)
	}
	a, ok := m.(*proto.AnswerObject)
	if !ok || a.Oid != 7 || !bytes.Equal(a.Data, data) {
		t.Fatalf("Ask(AskObject) = %#v", m)
	}
}

func TestConcurrentAsks(t *testing.T) {
	cl, _ := pair(t, Options{Handler: echoHandler(nil, []byte("d"))}, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(oid zodb.Oid) {
			defer wg.Done()
			m, err := cl.Ask(context.Background(), &proto.AskObject{Oid: oid})
			if err != nil {
				errs <- err
				return
			}
			if got := m.(*proto.AnswerObject).Oid; got != oid {
				errs <- errors.New("answer of another request")
			}
		}(zodb.Oid(i))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestErrorAnswer(t *testing.T) {
	h := HandlerFunc(func(l *Link, req Request) {
		l.Answer(req, &proto.Error{ErrCode: proto.OidNotFound, Message: "no such oid"})
	})
	cl, _ := pair(t, Options{Handler: h}, Options{})
	_, err := cl.Ask(context.Background(), &proto.AskObject{Oid: 1})
	var e *ErrorAnswer
	if !errors.As(err, &e) || e.Code != proto.OidNotFound || e.Message != "no such oid" {
		t.Fatalf("err = %v, want ErrorAnswer OidNotFound", err)
	}
	// The link is still up.
	if cl.Err() != nil {
		t.Fatal(cl.Err())
	}
}

func TestNotify(t *testing.T) {
	notes := make(chan Request, 2)
	cl, srv := pair(t, Options{Handler: echoHandler(notes, nil)}, Options{Handler: echoHandler(notes, nil)})
	if err := cl.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		select {
		case r := <-notes:
			if r.Msg.Code() != proto.CodeNotifyReady {
				t.Fatalf("notification %#x", r.Msg.Code())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no notification")
		}
	}
}

func TestCancel(t *testing.T) {
	release := make(chan struct{})
	h := HandlerFunc(func(l *Link, req Request) {
		if _, ok := req.Msg.(*proto.AskObject); ok {
			<-release
		}
		echoHandler(nil, nil).Serve(l, req)
	})
	cl, _ := pair(t, Options{Handler: h}, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := cl.Ask(ctx, &proto.AskObject{Oid: 1}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	close(release) // the late answer comes now and is dropped
	for i := 0; i < 3; i++ {
		if m, err := cl.Ask(context.Background(), ping()); err != nil || m.Code() != proto.CodePong {
			t.Fatalf("Ask after cancel = %v, %v", m, err)
		}
	}
}

func TestClose(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	cl, _ := pair(t, Options{Handler: HandlerFunc(func(*Link, Request) { <-block })}, Options{})
	errc := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { _, err := cl.Ask(context.Background(), ping()); errc <- err }()
	}
	time.Sleep(20 * time.Millisecond)
	cl.Close()
	for i := 0; i < 3; i++ {
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v, want ErrClosed", err)
		}
	}
	if _, err := cl.Ask(context.Background(), ping()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ask after Close: %v", err)
	}
}

// serveRaw does the handshake on c and reads one packet.
func serveRaw(c net.Conn) (proto.Packet, error) {
	c.Write(proto.Handshake)
	r := proto.NewReader(c)
	if err := r.ReadHandshake(); err != nil {
		return proto.Packet{}, err
	}
	return r.Next()
}

func TestPeerClosesMidAnswer(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) {
		p, err := serveRaw(c)
		if err != nil {
			return
		}
		b := proto.AppendPacket(nil, p.MsgID, &proto.AnswerObject{Checksum: make([]byte, 20), Data: make([]byte, 1000)})
		c.Write(b[:len(b)/2])
	})
	cl, err := Dial(context.Background(), "tcp", addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_, err = cl.Ask(context.Background(), &proto.AskObject{Oid: 1})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want ErrUnexpectedEOF", err)
	}
	<-cl.Done()
}

func TestPeerGoesAway(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) { serveRaw(c) })
	cl, err := Dial(context.Background(), "tcp", addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err = cl.Ask(context.Background(), ping()); !errors.Is(err, ErrPeerClosed) {
		t.Fatalf("err = %v, want ErrPeerClosed", err)
	}
}

func TestGarbageClosesOnlyThatLink(t *testing.T) {
	good, _ := pair(t, Options{Handler: echoHandler(nil, nil)}, Options{})
	for _, garbage := range [][]byte{
		{0xc1, 0xc1, 0xc1},                   // never-used msgpack byte
		{0x93, 0x00, 0xcd, 0x7f, 0xff, 0x90}, // unknown code
		{0x93, 0x00, 0x02, 0x91, 0x01},       // Ping with an argument
	} {
		addr := rawServer(t, func(c net.Conn) {
			if _, err := serveRaw(c); err != nil {
				return
			}
			c.Write(garbage)
			time.Sleep(time.Second)
		})
		cl, err := Dial(context.Background(), "tcp", addr, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.Ask(context.Background(), ping())
		if err == nil || errors.Is(err, ErrPeerClosed) {
			t.Fatalf("garbage % x: err = %v", garbage, err)
		}
		<-cl.Done()
		cl.Close()
	}
	if _, err := good.Ask(context.Background(), ping()); err != nil {
		t.Fatal(err)
	}
}

func TestOversized(t *testing.T) {
	cl, _ := pair(t, Options{Handler: echoHandler(nil, make([]byte, 10000))}, Options{MaxPacket: 1000})
	if _, err := cl.Ask(context.Background(), &proto.AskObject{}); !errors.Is(err, proto.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestHandshakeMismatch(t *testing.T) {
	for _, tc := range []struct {
		peer []byte
		want error
	}{
		{[]byte{0x92, 0xa3, 'N', 'E', 'O', 4}, proto.ErrVersion},
		{[]byte("HTTP/1.1 400 Bad Request\r\n"), proto.ErrNotNEO},
	} {
		addr := rawServer(t, func(c net.Conn) {
			c.Write(tc.peer)
			io.Copy(io.Discard, c)
		})
		_, err := Dial(context.Background(), "tcp", addr, Options{HandshakeTimeout: 5 * time.Second})
		if !errors.Is(err, tc.want) {
			t.Errorf("peer % x: err = %v, want %v", tc.peer, err, tc.want)
		}
	}
	// The accepting side checks too.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Write([]byte{0x92, 0xa3, 'N', 'E', 'O', 6})
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewLink(c, Options{}); !errors.Is(err, proto.ErrVersion) {
		t.Fatalf("NewLink: err = %v, want ErrVersion", err)
	}
}

func TestHandshakeTimeout(t *testing.T) {
	addr := rawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Dial(ctx, "tcp", addr, Options{}); err == nil {
		t.Fatal("Dial to a silent peer succeeded")
	}
}

// TestLargeConcurrentSends queues more than maxQueued bytes from many
// goroutines: every packet arrives whole.
func TestLargeConcurrentSends(t *testing.T) {
	got := make(chan int, 64)
	h := HandlerFunc(func(l *Link, req Request) {
		if m, ok := req.Msg.(*proto.AddObject); ok {
			got <- len(m.Data)
		}
	})
	cl, _ := pair(t, Options{Handler: h}, Options{})
	data := make([]byte, 300<<10)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				if err := cl.Notify(&proto.AddObject{Checksum: make([]byte, 20), Data: data}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i := 0; i < 64; i++ {
		select {
		case n := <-got:
			if n != len(data) {
				t.Fatalf("packet of %d bytes of data, want %d", n, len(data))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d packets of 64 arrived", i)
		}
	}
}

// TestBothDirections has both ends ask each other at once: each side's
// msg ids are its own.
func TestBothDirections(t *testing.T) {
	cl, srv := pair(t, Options{Handler: echoHandler(nil, []byte("s"))}, Options{Handler: echoHandler(nil, []byte("c"))})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		for _, x := range []struct {
			l    *Link
			want string
		}{{cl, "s"}, {srv, "c"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := x.l.Ask(context.Background(), &proto.AskObject{Oid: zodb.Oid(i)})
				if err != nil {
					t.Error(err)
					return
				}
				if a := m.(*proto.AnswerObject); a.Oid != zodb.Oid(i) || string(a.Data) != x.want {
					t.Errorf("answer %d %q, want %d %q", a.Oid, a.Data, i, x.want)
				}
			}()
		}
	}
	wg.Wait()
	// An Ask with a context already done sends nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cl.Ask(ctx, ping()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want Canceled", err)
	}
	if _, err := cl.Ask(context.Background(), pong()); err == nil {
		t.Fatal("Ask with an answer packet succeeded")
	}
}

// TestOrdered streams notifications carrying the request's msg id before
// the answer (as replication does with AddObject): an Ordered handler sees
// them in order.
func TestOrdered(t *testing.T) {
	srvH := HandlerFunc(func(l *Link, req Request) {
		for i := 0; i < 200; i++ {
			l.Answer(req, &proto.AddObject{Oid: zodb.Oid(i), Checksum: make([]byte, 20)})
		}
		l.Answer(req, pong())
	})
	var mu sync.Mutex
	var got []zodb.Oid
	cliH := HandlerFunc(func(l *Link, req Request) {
		if m, ok := req.Msg.(*proto.AddObject); ok {
			mu.Lock()
			got = append(got, m.Oid)
			mu.Unlock()
		}
	})
	cl, _ := pair(t, Options{Handler: srvH}, Options{Handler: cliH, Ordered: true})
	if _, err := cl.Ask(context.Background(), ping()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 200 {
		t.Fatalf("%d notifications, want 200", len(got))
	}
	for i, oid := range got {
		if oid != zodb.Oid(i) {
			t.Fatalf("notification %d has oid %d", i, oid)
		}
	}
}

// A notification queued behind a write in progress reaches the peer even
// when the sender closes right after (the master telling a node it is
// DOWN, then closing).
func TestCloseFlushes(t *testing.T) {
	got := make(chan proto.Msg, 2)
	release := make(chan struct{})
	cl, _ := pair(t, Options{Ordered: true, Handler: HandlerFunc(func(_ *Link, r Request) {
		<-release // the peer reads slowly: the big packet's write blocks
		got <- r.Msg
	})}, Options{})
	big := &proto.AskStoreObject{Oid: 1, Checksum: make([]byte, 20), Data: make([]byte, 8<<20), DataSerial: proto.NoTid, TTid: 1}
	go cl.Notify(big)
	time.Sleep(20 * time.Millisecond)
	if err := cl.Notify(ping()); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { cl.Close(); close(closed) }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	<-closed
	for _, want := range []uint16{big.Code(), proto.CodePing} {
		select {
		case m := <-got:
			if m.Code() != want {
				t.Fatalf("got %#x, want %#x", m.Code(), want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("packet %#x lost at Close", want)
		}
	}
}
