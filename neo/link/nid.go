package link

import (
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// nidNamespace is the high byte of the NIDs of each node type, as NEO/py
// encodes them: STORAGE 0x00, MASTER -0x10, CLIENT -0x20, ADMIN -0x30.
var nidNamespace = map[proto.NodeType]int32{
	proto.Storage: 0x00,
	proto.Master:  -0x10,
	proto.Client:  -0x20,
	proto.Admin:   -0x30,
}

// MakeNID returns the NID number n (from 1) of node type t:
// (namespace << 24) + n.
func MakeNID(t proto.NodeType, n uint32) (proto.NID, error) {
	ns, ok := nidNamespace[t]
	if !ok {
		return proto.NoNID, fmt.Errorf("link: no NID namespace for node type %v", t)
	}
	if n == 0 || n > 0xffffff {
		return proto.NoNID, fmt.Errorf("link: NID number %d of %v out of 1..%d", n, t, 0xffffff)
	}
	return proto.NID(ns<<24 + int32(n)), nil
}

// NIDType returns the node type whose namespace nid is in, and its number
// in it (nid & 0xffffff). ok is false for NoNID or an unknown namespace.
func NIDType(nid proto.NID) (t proto.NodeType, n uint32, ok bool) {
	if nid == proto.NoNID {
		return 0, 0, false
	}
	ns := int32(nid) >> 24
	for t, v := range nidNamespace {
		if v == ns {
			return t, uint32(nid) & 0xffffff, true
		}
	}
	return 0, 0, false
}
