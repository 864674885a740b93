package storage

import (
	"context"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// Bad requests get NEO/py's PROTOCOL_ERROR answer and the connection is
// closed; the node goes on serving others.
func TestBadRequests(t *testing.T) {
	_, st, _, _, _ := operational(t, 1)
	bad := storeMsg(0x100, 1, 0, "x")
	bad.Compression = 2
	for _, c := range []struct {
		msg  proto.Msg
		want string
	}{
		{bad, "invalid compression value"},
		{&proto.AskStoreObject{Oid: 1, Checksum: []byte{1}, DataSerial: proto.NoTid, TTid: 1}, "invalid checksum"},
		{&proto.AskTIDs{First: 5, Last: 5, Partition: proto.InvalidPartition}, "invalid offsets"},
		{&proto.AskObjectHistory{Oid: 1, First: 3, Last: 1}, "invalid offsets"},
		{&proto.TidMsg{PacketCode: proto.CodeAskVoteTransaction, Tid: 0x999}, "unknown ttid"},
		{&proto.AskLockInformation{TTid: 1, Tid: 2}, "unexpected packet: AskLockInformation"},
	} {
		cl, err := dialClient(t, st, nidC1, idtsC1, testCluster)
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.Ask(context.Background(), c.msg)
		wantError(t, err, proto.ProtocolError, c.want)
		select {
		case <-cl.Done():
		case <-time.After(waitLimit):
			t.Fatalf("%T: link kept open", c.msg)
		}
	}
	// A connection must start with RequestIdentification.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	l, err := link.Dial(ctx, "tcp", st.Addr(), link.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.Ask(ctx, &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid})
	wantError(t, err, proto.ProtocolError, "before identification")
	// An admin is not served.
	_, err = dialClientType(t, st, proto.Admin)
	wantError(t, err, proto.ProtocolError, "reject non-client-or-storage node")
	// The node still serves.
	cl, err := dialClient(t, st, nidC1, idtsC1, testCluster)
	if err != nil {
		t.Fatal(err)
	}
	ask(t, cl, &proto.NoArgs{PacketCode: proto.CodePing})
}

func dialClientType(t *testing.T, st *Storage, typ proto.NodeType) (*link.Link, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	l, err := link.Dial(ctx, "tcp", st.Addr(), link.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	_, err = l.Identify(ctx, &proto.RequestIdentification{NodeType: typ, NID: nidC1, ClusterName: testCluster, IDTimestamp: idtsC1})
	return l, err
}
