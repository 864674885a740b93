package link

import "github.com/zodbneo/zodbneo/neo/proto"

// orderedAnswer wraps an answer queued behind the packets before it
// (Options.OrderedAnswers); it never reaches a Handler.
type orderedAnswer struct{ proto.Msg }

// deliver hands an answer to the Ask waiting for it, if any.
func (l *Link) deliver(id uint32, m proto.Msg) {
	l.mu.Lock()
	ch := l.pending[id]
	delete(l.pending, id)
	l.mu.Unlock()
	if ch != nil {
		ch <- result{msg: m}
	}
}
