package link

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// With OrderedAnswers, the notifications a peer streams before an
// answer are handled when the Ask returns (replication's AddObject
// stream before AnswerFetchObjects).
func TestOrderedAnswers(t *testing.T) {
	const n = 200
	server := Options{Handler: HandlerFunc(func(l *Link, r Request) {
		for i := 0; i < n; i++ {
			l.Answer(r, &proto.TidMsg{PacketCode: proto.CodeNotifyUnlockInformation, Tid: 1})
		}
		l.Answer(r, &proto.NoArgs{PacketCode: proto.CodePong})
	}), Ordered: true}
	var handled atomic.Int64
	client := Options{Handler: HandlerFunc(func(l *Link, r Request) {
		time.Sleep(10 * time.Microsecond) // a slow handler lags behind the reader
		handled.Add(1)
	}), Ordered: true, OrderedAnswers: true}
	cl, _ := pair(t, server, client)
	for round := int64(1); round <= 3; round++ {
		if _, err := cl.Ask(context.Background(), &proto.NoArgs{PacketCode: proto.CodePing}); err != nil {
			t.Fatal(err)
		}
		if got := handled.Load(); got != round*n {
			t.Fatalf("round %d: %d notifications handled when the answer came, want %d", round, got, round*n)
		}
	}
}
