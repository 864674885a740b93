package link

import (
	"context"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// Identify sends req, the first packet of a connection between nodes, and
// returns the peer's AcceptIdentification. A refusal (an Error answer:
// ProtocolError, NotReady, ...) is returned as *ErrorAnswer.
func (l *Link) Identify(ctx context.Context, req *proto.RequestIdentification) (*proto.AcceptIdentification, error) {
	m, err := l.Ask(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("link: identification: %w", err)
	}
	acc, ok := m.(*proto.AcceptIdentification)
	if !ok {
		return nil, fmt.Errorf("link: identification answered by %T", m)
	}
	return acc, nil
}
