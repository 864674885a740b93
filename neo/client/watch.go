package client

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// events delivers commits to watchers in tid order. A commit of this
// client is known when its Finish is answered, which can be after the
// invalidation of a later commit was handled: while a finish (or a
// catch-up after a reconnection) is in progress, events are held and
// delivered sorted once it ends.
type events struct {
	mu       sync.Mutex
	holds    int
	held     []zodb.CommitEvent
	last     zodb.Tid // last tid delivered
	watchers map[*watcher]struct{}
	closed   bool
}

func (e *events) init() { e.watchers = map[*watcher]struct{}{} }

// hold holds events until release.
func (e *events) hold() {
	e.mu.Lock()
	e.holds++
	e.mu.Unlock()
}

// release ends a hold; the last one delivers what was held.
func (e *events) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.holds--
	if e.holds > 0 {
		return
	}
	slices.SortFunc(e.held, func(a, b zodb.CommitEvent) int { return compareTid(a.Tid, b.Tid) })
	for _, ev := range e.held {
		e.deliverLocked(ev)
	}
	e.held = nil
}

func compareTid(a, b zodb.Tid) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// emit delivers ev, or holds it.
func (e *events) emit(ev zodb.CommitEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.holds > 0 {
		e.held = append(e.held, ev)
		return
	}
	e.deliverLocked(ev)
}

// deliverLocked queues ev to every watcher, once per tid.
// REQUIRES: mu held.
func (e *events) deliverLocked(ev zodb.CommitEvent) {
	if ev.Tid <= e.last {
		return
	}
	e.last = ev.Tid
	for w := range e.watchers {
		w.push(ev)
	}
}

// watching reports whether anyone watches.
func (e *events) watching() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.watchers) > 0
}

func (e *events) closeAll() {
	e.mu.Lock()
	ws := e.watchers
	e.watchers = map[*watcher]struct{}{}
	e.closed = true
	e.mu.Unlock()
	for w := range ws {
		w.stop()
	}
}

// watcher is one Watch: an unbounded queue drained into its channel by
// its own goroutine, so that a slow receiver holds up nobody and misses
// nothing.
type watcher struct {
	mu   sync.Mutex
	q    []zodb.CommitEvent
	wake chan struct{} // 1-buffered: the queue grew
	quit chan struct{} // closed by stop
	once sync.Once
}

func (w *watcher) push(ev zodb.CommitEvent) {
	w.mu.Lock()
	w.q = append(w.q, ev)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) stop() { w.once.Do(func() { close(w.quit) }) }

// Watch returns a channel receiving every commit after the call, by this
// client or others, in tid order, until ctx ends or the client is
// closed. After a reconnection to the master, the commits missed
// meanwhile are listed from the storages and delivered too.
func (c *Client) Watch(ctx context.Context) (<-chan zodb.CommitEvent, error) {
	w := &watcher{wake: make(chan struct{}, 1), quit: make(chan struct{})}
	out := make(chan zodb.CommitEvent)
	c.ev.mu.Lock()
	if c.ev.closed {
		c.ev.mu.Unlock()
		return nil, c.opError("watch", nil, ErrClosed)
	}
	c.ev.watchers[w] = struct{}{}
	c.ev.mu.Unlock()
	go func() {
		defer close(out)
		defer func() {
			c.ev.mu.Lock()
			delete(c.ev.watchers, w)
			c.ev.mu.Unlock()
		}()
		for {
			w.mu.Lock()
			q := w.q
			w.q = nil
			w.mu.Unlock()
			for _, ev := range q {
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				case <-w.quit:
					return
				}
			}
			select {
			case <-w.wake:
			case <-ctx.Done():
				return
			case <-w.quit:
				return
			}
		}
	}()
	return out, nil
}

// catchUp delivers the commits in (from, to] missed while the client was
// disconnected, read from the storages, when anyone watches.
func (c *Client) catchUp(from, to zodb.Tid) {
	if from == 0 || to <= from || !c.ev.watching() {
		return
	}
	// Run outside the master's bootstrap: the listing needs a ready
	// client. Events stay held until it is done.
	c.ev.hold()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer c.ev.release()
		// The master tells a commit's tid before its storages unlock it:
		// the last ones may not be listed yet. to is a commit, so list
		// again until it is there.
		for tries := 0; from < to; tries++ {
			if tries > 0 {
				if tries == catchUpTries {
					c.logger().Error("cannot list the commits missed while disconnected", "from", from, "to", to, "err", "not on the storages")
					return
				}
				select {
				case <-c.ctx.Done():
					return
				case <-time.After(catchUpRetry):
				}
			}
			var err error
			if from, err = c.catchUpList(from, to); err != nil {
				c.logger().Error("cannot list the commits missed while disconnected", "err", err)
				return
			}
		}
	}()
}

const (
	catchUpRetry = 10 * time.Millisecond
	catchUpTries = 500
)

// catchUpList emits the commits in (from, to] the storages list now and
// returns the last one emitted (from when none).
func (c *Client) catchUpList(from, to zodb.Tid) (zodb.Tid, error) {
	it := c.Iterate(c.ctx, from+1, to).(*iterator)
	it.started = true
	for {
		if len(it.tids) == 0 && !it.done {
			if err := it.fill(c.ctx); err != nil {
				return from, err
			}
		}
		if len(it.tids) == 0 {
			return from, nil
		}
		tid := it.tids[0]
		it.tids = it.tids[1:]
		info, err := c.txnInfo(c.ctx, tid)
		if err != nil {
			return from, err
		}
		c.ev.emit(zodb.CommitEvent{Tid: tid, Oids: info.Oids})
		from = tid
	}
}
