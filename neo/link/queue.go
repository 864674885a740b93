package link

import "sync"

// queue is an unbounded FIFO of requests for an Ordered handler: the
// reader never waits for the handler, so answers keep flowing.
type queue struct {
	mu     sync.Mutex
	cond   sync.Cond
	reqs   []Request
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond.L = &q.mu
	return q
}

func (q *queue) put(r Request) {
	q.mu.Lock()
	q.reqs = append(q.reqs, r)
	q.mu.Unlock()
	q.cond.Signal()
}

// close makes get return false once the queue is empty.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (q *queue) get() (Request, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.reqs) == 0 {
		if q.closed {
			return Request{}, false
		}
		q.cond.Wait()
	}
	r := q.reqs[0]
	q.reqs[0] = Request{}
	q.reqs = q.reqs[1:]
	return r, true
}

// serveOrdered calls the handler for each request in turn.
func (l *Link) serveOrdered() {
	defer close(l.hdone)
	for {
		r, ok := l.inq.get()
		if !ok {
			return
		}
		if a, ok := r.Msg.(orderedAnswer); ok {
			l.deliver(r.MsgID, a.Msg)
			continue
		}
		l.handler.Serve(l, r)
	}
}
