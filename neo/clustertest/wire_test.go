package clustertest

import (
	"context"
	"testing"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// identify opens a raw NEO connection to addr and identifies as a node of
// type typ in cluster name, as a foreign node would: it returns the
// peer's answer, or the refusal as *link.ErrorAnswer.
func identify(t *testing.T, addr string, typ proto.NodeType, name string, self *proto.Address) (*proto.AcceptIdentification, error) {
	t.Helper()
	ctx := context.Background()
	l, err := link.Dial(ctx, "tcp", addr, link.Options{})
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer l.Close()
	return l.Identify(ctx, &proto.RequestIdentification{
		NodeType:    typ,
		NID:         proto.NoNID,
		Addr:        self,
		ClusterName: name,
		IDTimestamp: proto.NoTime,
		Extra:       proto.Raw{0x80}, // {}
	})
}
