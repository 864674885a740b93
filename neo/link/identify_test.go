package link

import (
	"context"
	"errors"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

func TestIdentify(t *testing.T) {
	h := HandlerFunc(func(l *Link, req Request) {
		r, ok := req.Msg.(*proto.RequestIdentification)
		if !ok {
			return
		}
		if r.ClusterName != "test" {
			l.Answer(req, &proto.Error{ErrCode: proto.ProtocolError, Message: "wrong cluster"})
			return
		}
		l.Answer(req, &proto.AcceptIdentification{NodeType: proto.Master, MyNID: 1, YourNID: r.NID})
	})
	cl, _ := pair(t, Options{Handler: h}, Options{})
	ctx := context.Background()
	acc, err := cl.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Storage, NID: 7, ClusterName: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if acc.NodeType != proto.Master || acc.MyNID != 1 || acc.YourNID != 7 {
		t.Fatalf("AcceptIdentification %+v", acc)
	}
	_, err = cl.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Storage, ClusterName: "other"})
	var e *ErrorAnswer
	if !errors.As(err, &e) || e.Code != proto.ProtocolError {
		t.Fatalf("err = %v, want ErrorAnswer ProtocolError", err)
	}
}
