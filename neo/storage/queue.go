package storage

import (
	"sort"

	"github.com/zodbneo/zodbneo/zodb"
)

// event is a request whose handling was delayed (NEO/py's DelayEvent): a
// store waiting for a write lock, a load waiting for a transaction's
// unlock. run retries it and reports whether it is finished (answered, or
// dropped because its connection went away); false keeps it queued.
type event struct {
	key   zodb.Tid // ordering key: the ttid that must go first
	keyed bool
	run   func() bool
}

// eventQueue holds delayed events and retries them when locks are
// released, as NEO/py's EventQueue: keyed events are kept sorted by key
// (stable), so on a lock release the oldest transaction goes first.
// REQUIRES: the node lock held for every method.
type eventQueue struct {
	events []event
	// executing counts execute calls in progress: a call made while
	// events run (a lock released by one of them) only asks the running
	// loop to start again from the first event, since events of one
	// connection must be retried in the order they came.
	executing int
}

func (q *eventQueue) add(e event) {
	q.events = append(q.events, e)
	if e.keyed {
		sort.SliceStable(q.events, func(i, j int) bool {
			a, b := q.events[i], q.events[j]
			return a.keyed && b.keyed && a.key < b.key || !a.keyed && b.keyed
		})
	}
}

func (q *eventQueue) len() int { return len(q.events) }

// execute retries every queued event in order, dropping those finished.
func (q *eventQueue) execute() {
	if len(q.events) == 0 {
		return
	}
	q.executing++
	if q.executing > 1 {
		return
	}
	for {
		var done []int
		restart := false
		for i := 0; i < len(q.events); i++ {
			if q.events[i].run() {
				done = append(done, i)
			}
			if q.executing > 1 {
				restart = true
				break
			}
		}
		if len(done) > 0 {
			kept := q.events[:0]
			d := 0
			for i, e := range q.events {
				if d < len(done) && done[d] == i {
					d++
					continue
				}
				kept = append(kept, e)
			}
			for i := len(kept); i < len(q.events); i++ {
				q.events[i] = event{}
			}
			q.events = kept
		}
		q.executing = 1
		if !restart {
			break
		}
	}
	q.executing = 0
}

// clear drops every event (the node leaves operation).
func (q *eventQueue) clear() { q.events = nil }
