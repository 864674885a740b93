package master

import (
	"errors"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

func TestTwoMasters(t *testing.T) {
	m1, done1 := startMaster(t, Config{Autostart: 1, Partitions: 2})
	a := dial(t, m1, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	// m1 serves: the second master starts later, its election key is
	// higher.
	cfg := Config{Autostart: 1, Partitions: 2}
	cfg.Masters = []string{m1.Addr()}
	m2, done2 := startMaster(t, cfg)

	// Wait for m2 to be a secondary of m1: m1 lists it RUNNING.
	for {
		var req link.Request
		select {
		case req = <-a.got:
		case <-time.After(waitLimit):
			t.Fatal("the second master did not join")
		}
		nl, ok := req.Msg.(*proto.NotifyNodeInformation)
		if !ok {
			continue
		}
		found := false
		for _, n := range nl.Nodes {
			if n.Type == proto.Master && n.Addr != nil && n.Addr.String() == m2.Addr() && n.State == proto.NodeRunning {
				found = true
			}
		}
		if found {
			if nl.Nodes[len(nl.Nodes)-1].NID != mustNID(proto.Master, 2) {
				t.Fatalf("secondary listed as %+v", nl.Nodes)
			}
			break
		}
	}
	// and m2 to know it.
	for deadline := time.Now().Add(waitLimit); !isSecondary(m2); {
		if time.Now().After(deadline) {
			t.Fatal("the second master is not secondary")
		}
		time.Sleep(time.Millisecond)
	}
	s := dial(t, m2, nil)
	_, err := s.identify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 2}, testCluster, proto.Extra{})
	if err == nil {
		t.Fatal("secondary accepted a storage")
	}
	npm := s.expect(proto.CodeNotPrimaryMaster).(*proto.NotPrimaryMaster)
	if npm.Primary < 0 || int(npm.Primary) >= len(npm.Masters) || npm.Masters[npm.Primary].String() != m1.Addr() {
		t.Fatalf("NotPrimaryMaster %+v", npm)
	}
	_, err = a.ask(&proto.ClusterStateMsg{PacketCode: proto.CodeSetClusterState, State: proto.Stopping})
	var ea *link.ErrorAnswer
	if !errors.As(err, &ea) || ea.Code != proto.Ack {
		t.Fatalf("stop: %v", err)
	}
	for _, done := range []<-chan error{done1, done2} {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(waitLimit):
			t.Fatal("a master did not stop")
		}
	}
}

func isSecondary(m *Master) bool {
	ch := make(chan bool, 1)
	m.post(func() { ch <- m.second != nil && m.second.l != nil })
	select {
	case v := <-ch:
		return v
	case <-m.quit:
		return false
	}
}
