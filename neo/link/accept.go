package link

import (
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// Policy says which RequestIdentification a node accepts and how it
// answers.
type Policy struct {
	// ClusterName is the name the peer must send.
	ClusterName string
	// NodeType and NID are the acceptor's, sent in AcceptIdentification.
	NodeType proto.NodeType
	NID      proto.NID
	// Allow lists the node types accepted (all when empty).
	Allow []proto.NodeType
	// Assign makes the acceptor give NIDs, as the primary master does:
	// the peer keeps the NID it sent if in its type's namespace and not
	// InUse, else gets the smallest free one of the namespace. Without
	// Assign the peer's NID is echoed (as a storage does).
	Assign bool
	// InUse reports a NID taken by another node (none when nil).
	InUse func(proto.NID) bool
}

// Packet returns e as the Error packet to answer with.
func (e *ErrorAnswer) Packet() *proto.Error {
	return &proto.Error{ErrCode: e.Code, Message: e.Message}
}

// AcceptIdentification checks req against p and returns the answer to
// send: an AcceptIdentification, or a refusal as NEO/py makes it
// (PROTOCOL_ERROR 'invalid cluster name', PROTOCOL_ERROR for a node type
// not accepted or no NID left); answer it with e.Packet() and close.
func AcceptIdentification(req *proto.RequestIdentification, p Policy) (*proto.AcceptIdentification, *ErrorAnswer) {
	if req.ClusterName != p.ClusterName {
		return nil, &ErrorAnswer{Code: proto.ProtocolError, Message: "invalid cluster name"}
	}
	if len(p.Allow) > 0 {
		ok := false
		for _, t := range p.Allow {
			ok = ok || t == req.NodeType
		}
		if !ok {
			return nil, &ErrorAnswer{Code: proto.ProtocolError, Message: fmt.Sprintf("reject %v node", req.NodeType)}
		}
	}
	your := req.NID
	if p.Assign {
		inUse := func(n proto.NID) bool { return p.InUse != nil && p.InUse(n) }
		if t, _, ok := NIDType(your); !ok || t != req.NodeType || inUse(your) {
			your = proto.NoNID
			for n := uint32(1); n <= 0xffffff; n++ {
				nid, err := MakeNID(req.NodeType, n)
				if err != nil {
					return nil, &ErrorAnswer{Code: proto.ProtocolError, Message: err.Error()}
				}
				if !inUse(nid) {
					your = nid
					break
				}
			}
			if your == proto.NoNID {
				return nil, &ErrorAnswer{Code: proto.ProtocolError, Message: fmt.Sprintf("no free NID for %v", req.NodeType)}
			}
		}
	}
	return &proto.AcceptIdentification{NodeType: p.NodeType, MyNID: p.NID, YourNID: your}, nil
}
