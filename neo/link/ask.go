package link

import (
	"context"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// answerBit marks the code of an answer packet (Error is 0x8000 itself).
const answerBit = 0x8000

// ErrorAnswer is an Error packet received as the answer to an Ask.
type ErrorAnswer struct {
	Code    proto.ErrorCode
	Message string
}

func (e *ErrorAnswer) Error() string {
	return fmt.Sprintf("link: peer answered Error %v: %s", e.Code, e.Message)
}

// Request is a request or notification from the peer.
type Request struct {
	MsgID uint32
	Msg   proto.Msg
}

// Ask sends msg with a new msg id and waits for the answer with that id.
// An Error answer is returned as *ErrorAnswer. When ctx ends first, Ask
// returns ctx's error and the link stays up (the late answer is dropped).
func (l *Link) Ask(ctx context.Context, msg proto.Msg) (proto.Msg, error) {
	if msg.Code()&answerBit != 0 {
		return nil, fmt.Errorf("link: Ask with answer packet %#x", msg.Code())
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := l.nextID.Add(1) - 1
	ch := make(chan result, 1)
	l.mu.Lock()
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return nil, err
	}
	l.pending[id] = ch
	l.mu.Unlock()

	if err := l.send(id, msg); err != nil {
		l.forget(id)
		return nil, err
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		if e, ok := r.msg.(*proto.Error); ok {
			return nil, &ErrorAnswer{Code: e.ErrCode, Message: e.Message}
		}
		if want := msg.Code() | answerBit; r.msg.Code() != want {
			return nil, fmt.Errorf("link: answer to %#x (msg_id %d) has code %#x, want %#x", msg.Code(), id, r.msg.Code(), want)
		}
		return r.msg, nil
	case <-ctx.Done():
		l.forget(id)
		return nil, ctx.Err()
	}
}

func (l *Link) forget(id uint32) {
	l.mu.Lock()
	delete(l.pending, id)
	l.mu.Unlock()
}

// Notify sends msg with a new msg id and does not wait.
func (l *Link) Notify(msg proto.Msg) error {
	return l.send(l.nextID.Add(1)-1, msg)
}

// Answer replies to the peer's request req with msg. It also sends the
// notifications that carry a request's msg id before its answer (AddObject
// and AddTransaction during replication).
func (l *Link) Answer(req Request, msg proto.Msg) error {
	return l.send(req.MsgID, msg)
}

// maxQueued bounds the bytes queued behind a write in progress; a sender
// finding more waits.
const maxQueued = 1 << 20

// send queues one packet for writing. The first sender to find no write
// in progress writes what is queued, its own packet and those queued
// meanwhile by others, in as few writes as possible. An error of that
// write takes the link down.
func (l *Link) send(id uint32, msg proto.Msg) error {
	l.wmu.Lock()
	for l.writing && len(l.wbuf) > maxQueued && l.Err() == nil {
		l.wcond.Wait()
	}
	if err := l.Err(); err != nil {
		l.wmu.Unlock()
		return err
	}
	l.wbuf = proto.AppendPacket(l.wbuf, id, msg)
	if l.writing {
		l.wmu.Unlock()
		return nil
	}
	l.writing = true
	for len(l.wbuf) > 0 {
		b := l.wbuf
		l.wbuf = l.wspare[:0]
		l.wmu.Unlock()
		_, err := l.conn.Write(b)
		l.wmu.Lock()
		// The spare is now wbuf: b (or nothing, if too big) is the next one.
		l.wspare = nil
		if cap(b) <= maxQueued {
			l.wspare = b
		}
		l.wcond.Broadcast()
		if err != nil {
			l.writing = false
			l.wmu.Unlock()
			l.shutdown(fmt.Errorf("link: write: %w", err))
			return l.Err()
		}
	}
	l.writing = false
	l.wmu.Unlock()
	return nil
}
