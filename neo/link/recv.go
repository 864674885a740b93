package link

import (
	"errors"
	"fmt"
	"io"
	"net"
)

// Handler serves the peer's requests and notifications. Each call runs on
// its own goroutine; a request is answered with l.Answer(req, ...).
type Handler interface {
	Serve(l *Link, req Request)
}

// HandlerFunc is a func used as a Handler.
type HandlerFunc func(l *Link, req Request)

func (f HandlerFunc) Serve(l *Link, req Request) { f(l, req) }

// ErrPeerClosed reports the peer closing the connection between packets.
var ErrPeerClosed = errors.New("link: peer closed the connection")

// readLoop reads packets until the link goes down.
func (l *Link) readLoop() {
	defer close(l.rdone)
	for {
		p, err := l.rd.Next()
		if err != nil {
			switch {
			case errors.Is(err, io.EOF):
				err = ErrPeerClosed
			case errors.Is(err, net.ErrClosed) && l.Err() != nil:
				return // closed by us
			default:
				err = fmt.Errorf("link: read: %w", err)
			}
			l.shutdown(err)
			return
		}
		if l.down.Load() {
			continue // closed by us: read on until the peer's FIN
		}
		// The Msg's byte fields alias the Reader's buffer: give it its own.
		p.Args = append([]byte(nil), p.Args...)
		m, err := p.Decode()
		if err != nil {
			l.shutdown(fmt.Errorf("link: read: %w", err))
			return
		}
		if p.Code&answerBit != 0 && l.orderedAnswers {
			l.inq.put(Request{MsgID: p.MsgID, Msg: orderedAnswer{m}})
			continue
		}
		if p.Code&answerBit != 0 {
			l.mu.Lock()
			ch := l.pending[p.MsgID]
			delete(l.pending, p.MsgID)
			l.mu.Unlock()
			if ch != nil {
				ch <- result{msg: m}
			}
			continue
		}
		req := Request{MsgID: p.MsgID, Msg: m}
		switch {
		case l.inq != nil:
			l.inq.put(req)
		case l.handler != nil:
			go l.handler.Serve(l, req)
		}
	}
}
