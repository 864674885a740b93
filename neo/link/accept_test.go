package link

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

func TestNID(t *testing.T) {
	for _, tc := range []struct {
		t    proto.NodeType
		n    uint32
		nid  int32
		text string
	}{
		{proto.Storage, 1, 1, "S1"},
		{proto.Master, 1, -268435455, "M1"},
		{proto.Client, 3, -536870909, "C3"},
		{proto.Admin, 1, -805306367, "A1"},
		{proto.Storage, 2, 2, "S2"},
	} {
		nid, err := MakeNID(tc.t, tc.n)
		if err != nil || int32(nid) != tc.nid || nid.String() != tc.text {
			t.Errorf("MakeNID(%v, %d) = %d %q %v, want %d %q", tc.t, tc.n, int32(nid), nid, err, tc.nid, tc.text)
		}
		typ, n, ok := NIDType(nid)
		if !ok || typ != tc.t || n != tc.n {
			t.Errorf("NIDType(%v) = %v %d %v", nid, typ, n, ok)
		}
	}
	if _, _, ok := NIDType(proto.NoNID); ok {
		t.Error("NIDType(NoNID) ok")
	}
	if _, _, ok := NIDType(proto.NID(0x70000001)); ok {
		t.Error("NIDType of an unknown namespace ok")
	}
	if _, err := MakeNID(proto.Storage, 0); err == nil {
		t.Error("MakeNID(Storage, 0) succeeded")
	}
}

// identServer is a master-like Handler accepting by p.
func identServer(p Policy) Handler {
	return HandlerFunc(func(l *Link, req Request) {
		r, ok := req.Msg.(*proto.RequestIdentification)
		if !ok {
			return
		}
		acc, e := AcceptIdentification(r, p)
		if e != nil {
			l.Answer(req, e.Packet())
			return
		}
		l.Answer(req, acc)
	})
}

func TestAcceptIdentification(t *testing.T) {
	m1, _ := MakeNID(proto.Master, 1)
	c1, _ := MakeNID(proto.Client, 1)
	c2, _ := MakeNID(proto.Client, 2)
	p := Policy{
		ClusterName: "test", NodeType: proto.Master, NID: m1,
		Allow: []proto.NodeType{proto.Client, proto.Storage}, Assign: true,
		InUse: func(n proto.NID) bool { return n == c1 },
	}
	cl, _ := pair(t, Options{Handler: identServer(p)}, Options{})
	ctx := context.Background()
	ask := func(typ proto.NodeType, nid proto.NID, name string) (*proto.AcceptIdentification, error) {
		return cl.Identify(ctx, &proto.RequestIdentification{NodeType: typ, NID: nid, ClusterName: name,
			IDTimestamp: proto.NoTime, Extra: proto.Raw{0x80}})
	}
	for _, tc := range []struct {
		typ       proto.NodeType
		nid, want proto.NID
	}{
		{proto.Client, proto.NoNID, c2}, // C1 in use
		{proto.Client, c1, c2},
		{proto.Client, c2 + 5, c2 + 5}, // free: kept
		{proto.Client, 7, c2},          // a storage NID: not the client's namespace
		{proto.Storage, proto.NoNID, 1},
		{proto.Storage, 4, 4},
	} {
		acc, err := ask(tc.typ, tc.nid, "test")
		if err != nil {
			t.Fatalf("%v %v: %v", tc.typ, tc.nid, err)
		}
		if acc.NodeType != proto.Master || acc.MyNID != m1 || acc.YourNID != tc.want {
			t.Errorf("%v %v: accepted %v %v %v, want MASTER M1 %v", tc.typ, tc.nid, acc.NodeType, acc.MyNID, acc.YourNID, tc.want)
		}
	}
	var e *ErrorAnswer
	_, err := ask(proto.Client, proto.NoNID, "other")
	if !errors.As(err, &e) || e.Code != proto.ProtocolError || e.Message != "invalid cluster name" {
		t.Errorf("wrong cluster name: %v, want PROTOCOL_ERROR invalid cluster name", err)
	}
	_, err = ask(proto.Admin, proto.NoNID, "test")
	if !errors.As(err, &e) || e.Code != proto.ProtocolError {
		t.Errorf("admin not allowed: %v, want PROTOCOL_ERROR", err)
	}

	// Without Assign (a storage accepting), the peer's NID is echoed.
	s1, _ := MakeNID(proto.Storage, 1)
	acc, e2 := AcceptIdentification(&proto.RequestIdentification{NodeType: proto.Client, NID: c1, ClusterName: "x"},
		Policy{ClusterName: "x", NodeType: proto.Storage, NID: s1})
	if e2 != nil || acc.YourNID != c1 || acc.MyNID != s1 {
		t.Errorf("storage accept: %+v %v", acc, e2)
	}
}

// TestTraceNIDs decodes the identification packets of the recorded
// traces: their NIDs are of the sender's type and print as NEO/py's.
func TestTraceNIDs(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/neo/*/*.bin")
	if len(files) == 0 {
		t.Skip("no traces")
	}
	seen := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rd := proto.NewReader(fh)
		if rd.ReadHandshake() != nil {
			fh.Close()
			continue
		}
		for {
			p, err := rd.Next()
			if err != nil {
				break
			}
			if p.Code != proto.CodeRequestIdentification && p.Code != proto.CodeAcceptIdentification {
				continue
			}
			m, err := p.Decode()
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			check := func(typ proto.NodeType, nid proto.NID, what string) {
				if nid == proto.NoNID {
					return
				}
				nt, _, ok := NIDType(nid)
				if !ok || nt != typ {
					t.Errorf("%s: %s %v (%d) not of type %v", f, what, nid, int32(nid), typ)
				}
				seen[nid.String()] = true
			}
			switch m := m.(type) {
			case *proto.RequestIdentification:
				check(m.NodeType, m.NID, "RequestIdentification nid")
			case *proto.AcceptIdentification:
				check(m.NodeType, m.MyNID, "AcceptIdentification nid")
				if _, _, ok := NIDType(m.YourNID); m.YourNID != proto.NoNID && !ok {
					t.Errorf("%s: AcceptIdentification your_nid %v in no namespace", f, m.YourNID)
				}
				if m.YourNID != proto.NoNID {
					seen[m.YourNID.String()] = true
				}
			}
		}
		fh.Close()
	}
	t.Logf("NIDs in the traces: %v", seen)
	for _, want := range []string{"M1", "S1"} {
		if !seen[want] {
			t.Errorf("no %s in the traces' identifications", want)
		}
	}
}
