package link

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// ErrClosed reports a link closed by Close.
var ErrClosed = errors.New("link: closed")

// Options configure a Link. The zero value is usable.
type Options struct {
	// Handler receives the peer's requests and notifications. Nil drops
	// them (a request then stays unanswered).
	Handler Handler
	// MaxPacket is the largest packet accepted from the peer
	// (proto.DefaultMaxPacket when 0).
	MaxPacket int
	// Ordered calls the Handler on one goroutine per link, in the order
	// packets arrive (as NEO/py handles a connection), instead of one
	// goroutine per packet. An ordered Handler must not wait for an Ask on
	// the same link, nor block for long: it holds up the next packets.
	Ordered bool
	// OrderedAnswers, with Ordered, delivers each answer to its Ask only
	// after the Handler returned for every packet that came before it:
	// what a request's notifications (AddTransaction, AddObject stream
	// before AnswerFetch*) carry is handled when the Ask returns.
	OrderedAnswers bool
	// HandshakeTimeout bounds the handshake when the context has no
	// earlier deadline (no bound when 0).
	HandshakeTimeout time.Duration
	// TLS, when set, runs the connection over TLS, as NEO/py with
	// --ca/--cert/--key: the TLS handshake comes first and the NEO
	// handshake is inside TLS. Dial is the TLS client, NewLink the
	// server. See LoadTLS.
	TLS *tls.Config
}

// Link is one NEO connection. Its methods are safe for concurrent use.
type Link struct {
	conn    net.Conn
	rd      *proto.Reader
	handler Handler
	inq     *queue // for an Ordered handler
	// hdone is closed when an Ordered handler returned for the last packet
	// of a link that is down (HandlerDone).
	hdone chan struct{}
	// orderedAnswers: answers go through inq too (Options.OrderedAnswers).
	orderedAnswers bool

	nextID atomic.Uint32

	wmu     sync.Mutex
	wcond   sync.Cond // on wmu: a write finished
	wbuf    []byte    // packets queued for writing
	wspare  []byte    // a buffer to queue into while wbuf is written
	writing bool      // a sender is writing

	mu      sync.Mutex
	pending map[uint32]chan result // Asks waiting, by msg id
	err     error                  // why the link is down, nil while up
	done    chan struct{}          // closed when the link is down
	down    atomic.Bool            // set with err: packets read after are dropped
	rdone   chan struct{}          // closed when readLoop returned
}

type result struct {
	msg proto.Msg
	err error
}

// Dial connects to addr, exchanges handshakes and returns the Link.
func Dial(ctx context.Context, network, addr string, opts Options) (*Link, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("link: dial %s: %w", addr, err)
	}
	l, err := handshake(ctx, conn, opts, true)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return l, nil
}

// NewLink exchanges handshakes over conn (typically from a listener's
// Accept) and returns the Link. On error conn is closed.
func NewLink(conn net.Conn, opts Options) (*Link, error) {
	l, err := handshake(context.Background(), conn, opts, false)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return l, nil
}

// handshake sends ours and checks the peer's, then starts the reader.
func handshake(ctx context.Context, conn net.Conn, opts Options, client bool) (*Link, error) {
	deadline, ok := ctx.Deadline()
	if opts.HandshakeTimeout > 0 {
		if t := time.Now().Add(opts.HandshakeTimeout); !ok || t.Before(deadline) {
			deadline, ok = t, true
		}
	}
	if ok {
		conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	if opts.TLS != nil {
		var err error
		conn, err = startTLS(ctx, conn, opts.TLS, client)
		if err != nil {
			stop()
			return nil, err
		}
	}
	rd := proto.NewReader(conn)
	if opts.MaxPacket > 0 {
		rd.SetMaxPacket(opts.MaxPacket)
	}
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(proto.Handshake)
		werr <- err
	}()
	rerr := rd.ReadHandshake()
	if rerr != nil {
		// Unblock our write should the peer not read.
		conn.SetDeadline(time.Unix(1, 0))
	}
	err := <-werr
	if !stop() {
		return nil, fmt.Errorf("link: handshake: %w", ctx.Err())
	}
	if rerr != nil {
		return nil, fmt.Errorf("link: handshake: %w", rerr)
	}
	if err != nil {
		return nil, fmt.Errorf("link: handshake: %w", err)
	}
	conn.SetDeadline(time.Time{})
	l := &Link{
		conn:    conn,
		rd:      rd,
		handler: opts.Handler,
		pending: make(map[uint32]chan result),
		done:    make(chan struct{}),
		rdone:   make(chan struct{}),
	}
	l.wcond.L = &l.wmu
	if opts.Ordered && opts.Handler != nil {
		l.orderedAnswers = opts.OrderedAnswers
		l.inq = newQueue()
		l.hdone = make(chan struct{})
		go l.serveOrdered()
	}
	go l.readLoop()
	return l, nil
}

// LocalAddr and RemoteAddr are those of the underlying connection.
func (l *Link) LocalAddr() net.Addr  { return l.conn.LocalAddr() }
func (l *Link) RemoteAddr() net.Addr { return l.conn.RemoteAddr() }

// closeFlush bounds how long Close waits for packets already queued.
const closeFlush = time.Second

// Close closes the link; waiting Asks fail with ErrClosed. Packets
// already sent (queued behind a write in progress) still go out first,
// as NEO/py flushes a connection before closing it: a node that notifies
// then closes (the master telling a node it is DOWN) must not lose the
// notification. A peer not reading holds Close at most a second.
func (l *Link) Close() error {
	l.flush(closeFlush)
	l.shutdown(ErrClosed)
	return nil
}

// flush waits until no write is in progress (every queued packet written),
// at most d.
func (l *Link) flush(d time.Duration) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if !l.writing {
		return
	}
	l.conn.SetWriteDeadline(time.Now().Add(d))
	for l.writing && l.Err() == nil {
		l.wcond.Wait()
	}
}

// Done is closed when the link is down; Err then says why.
func (l *Link) Done() <-chan struct{} { return l.done }

// Err returns why the link is down (ErrClosed after Close), nil while up.
func (l *Link) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// shutdown takes the link down with err (the first error wins) and fails
// every waiting Ask.
func (l *Link) shutdown(err error) {
	l.mu.Lock()
	if l.err != nil {
		l.mu.Unlock()
		return
	}
	l.err = err
	l.down.Store(true)
	pending := l.pending
	l.pending = nil
	close(l.done)
	l.mu.Unlock()
	if c, ok := l.conn.(interface{ CloseWrite() error }); ok && err == ErrClosed && c.CloseWrite() == nil {
		// A FIN after our data, then wait for the peer's: closing with
		// its packets unread would send a reset, and a reset may make
		// the peer's system discard our last packets before it read them.
		select {
		case <-l.rdone:
		case <-time.After(closeFlush):
		}
	}
	l.conn.Close()
	l.wmu.Lock()
	l.wcond.Broadcast()
	l.wmu.Unlock()
	if l.inq != nil {
		l.inq.close()
	}
	for _, ch := range pending {
		ch <- result{err: err}
	}
}
