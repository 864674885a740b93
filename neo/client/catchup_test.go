package client_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// proxy forwards TCP connections to target; cut closes them and refuses
// new ones until resume.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	off    bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		off := p.off
		p.mu.Unlock()
		if off {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		for _, pair := range [][2]net.Conn{{c, s}, {s, c}} {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				io.Copy(pair[0], pair[1])
				pair[0].Close()
				pair[1].Close()
			}()
		}
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	p.off = true
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (p *proxy) resume() {
	p.mu.Lock()
	p.off = false
	p.mu.Unlock()
}

// TestCatchUp: commits made by another client while this one was cut
// from the master reach its watch channel once it is back, in order,
// and its cache does not serve what they replaced.
func TestCatchUp(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	px := newProxy(t, c.masterAddr)
	a := openClient(t, "neo://test@"+px.addr())
	b := openClient(t, c.url())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := a.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oid, err := a.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t0 := commitOne(t, a, oid, 0, "0")
	if data, _, err := a.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid}); err != nil || string(data) != "0" {
		t.Fatalf("load: %q %v", data, err)
	}
	px.cut()
	if _, err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	t1 := commitOne(t, b, oid, t0, "1")
	t2 := commitOne(t, b, oid, t1, "2")
	px.resume()
	if h, err := a.Sync(ctx); err != nil || h != t2 {
		t.Fatalf("sync after reconnection: %s %v, want %s", h, err, t2)
	}
	if data, serial, err := a.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid}); err != nil || string(data) != "2" || serial != t2 {
		t.Errorf("load after reconnection: %q @%s %v", data, serial, err)
	}
	for _, want := range []zodb.Tid{t0, t1, t2} {
		if ev := recvEvent(t, w); ev.Tid != want {
			t.Errorf("event %s, want %s", ev.Tid, want)
		}
	}
}
