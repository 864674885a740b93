package link

import (
	"context"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// Call is a request sent by Start; Wait returns its answer.
type Call struct {
	l    *Link
	id   uint32
	code uint16
	ch   chan result
}

// Start sends msg as a request with a new msg id and returns without
// waiting for the answer. Unlike Ask run on another goroutine, the request
// is queued on the link when Start returns, so a node that sends requests
// and notifications from one goroutine (NEO/py's event loop, the master)
// keeps them in the order it made them.
func (l *Link) Start(msg proto.Msg) (*Call, error) {
	if msg.Code()&answerBit != 0 {
		return nil, fmt.Errorf("link: Start with answer packet %#x", msg.Code())
	}
	c := &Call{l: l, id: l.nextID.Add(1) - 1, code: msg.Code(), ch: make(chan result, 1)}
	l.mu.Lock()
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return nil, err
	}
	l.pending[c.id] = c.ch
	l.mu.Unlock()
	if err := l.send(c.id, msg); err != nil {
		l.forget(c.id)
		return nil, err
	}
	return c, nil
}

// Wait waits for the answer of c as Ask does: an Error answer is returned
// as *ErrorAnswer, the link going down as its error. When ctx ends first
// the late answer is dropped.
func (c *Call) Wait(ctx context.Context) (proto.Msg, error) {
	select {
	case r := <-c.ch:
		if r.err != nil {
			return nil, r.err
		}
		if e, ok := r.msg.(*proto.Error); ok {
			return nil, &ErrorAnswer{Code: e.ErrCode, Message: e.Message}
		}
		if want := c.code | answerBit; r.msg.Code() != want {
			return nil, fmt.Errorf("link: answer to %#x (msg_id %d) has code %#x, want %#x", c.code, c.id, r.msg.Code(), want)
		}
		return r.msg, nil
	case <-ctx.Done():
		c.l.forget(c.id)
		return nil, ctx.Err()
	}
}

// HandlerDone is closed once the link is down and, with an Ordered
// handler, the handler returned for every packet received before: a node
// handling a peer's packets in order learns of its going away after the
// last of them (Done alone may come first). Without an Ordered handler it
// is Done.
func (l *Link) HandlerDone() <-chan struct{} {
	if l.hdone == nil {
		return l.done
	}
	return l.hdone
}
