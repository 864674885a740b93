package master

import (
	"errors"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// Each peer has a queue of packets to send, written by its own goroutine:
// the loop never blocks on a slow or stalled peer (NEO/py buffers what a
// connection cannot write yet), and a peer's packets keep the order the
// loop made them in.

// outItem is one thing to send: a notification, an answer (req set), a
// request whose answer goes to onAnswer, or the close of the link.
type outItem struct {
	msg      proto.Msg
	req      *link.Request
	onAnswer func(proto.Msg)
	close    bool
}

type outQueue struct {
	mu    sync.Mutex
	items []outItem
	wake  chan struct{}
	done  chan struct{} // closed when the sender returned
}

func (q *outQueue) push(it outItem) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *outQueue) take() []outItem {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

// startSender sets p's link and starts its sender.
func (m *Master) startSender(p *peer, l *link.Link) {
	if p.out != nil {
		return
	}
	p.l = l
	q := &outQueue{wake: make(chan struct{}, 1), done: make(chan struct{})}
	p.out = q
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(q.done)
		for {
			select {
			case <-q.wake:
			case <-l.Done():
				return
			case <-m.quit:
				return
			}
			for _, it := range q.take() {
				if !m.sendItem(p, l, it) {
					return
				}
			}
		}
	}()
}

// sendItem sends it on p's link; false once the link is closed.
func (m *Master) sendItem(p *peer, l *link.Link, it outItem) bool {
	switch {
	case it.close:
		l.Close()
		return false
	case it.req != nil:
		l.Answer(*it.req, it.msg)
	case it.onAnswer != nil:
		call, err := l.Start(it.msg)
		if err != nil {
			m.post(func() {
				p.pending--
				p.dead = true
			})
			return true
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			ans, err := call.Wait(m.ctx)
			m.post(func() { m.answered(p, it, ans, err) })
		}()
	default:
		l.Notify(it.msg)
	}
	return true
}

// answered runs on the loop with the answer to a request sent to p.
func (m *Master) answered(p *peer, it outItem, ans proto.Msg, err error) {
	p.pending--
	if p.closed {
		return
	}
	if err != nil {
		var e *link.ErrorAnswer
		if !errors.As(err, &e) {
			p.dead = true // connectionLost is to come
			return
		}
		m.log.Error("master: peer answered an error", "peer", peerName(p), "request", codeName(it.msg), "err", err)
		m.abort(p)
		return
	}
	it.onAnswer(ans)
}

// flushTimeout bounds how long Run waits, when it returns, for the last
// packets (e.g. the DOWN notifications of a stop) to be written.
const flushTimeout = time.Second

// flushAll closes every link after what is queued for it was sent, or
// at flushTimeout.
func (m *Master) flushAll() {
	var qs []*outQueue
	for p := range m.peers {
		if p.out != nil {
			p.out.push(outItem{close: true})
			qs = append(qs, p.out)
		}
	}
	deadline := time.After(flushTimeout)
	for _, q := range qs {
		select {
		case <-q.done:
		case <-deadline:
			return
		}
	}
}
