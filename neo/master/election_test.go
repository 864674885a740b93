package master

import (
	"context"
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

// When the primary goes away, the secondary plays the primary role,
// keeping the NID the primary gave it.
func TestSecondaryTakesOver(t *testing.T) {
	cfg1 := Config{Autostart: 1, Partitions: 1}
	cfg1.Cluster, cfg1.Bind = testCluster, "127.0.0.1:0"
	cfg1.Logger = testLogger()
	m1, err := New(cfg1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done1 := make(chan struct{})
	go func() {
		m1.Run(ctx)
		close(done1)
	}()
	defer func() {
		cancel()
		<-done1
	}()
	a := dial(t, m1, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	cfg := Config{Autostart: 1, Partitions: 1}
	cfg.Masters = []string{m1.Addr()}
	m2, _ := startMaster(t, cfg)
	for deadline := time.Now().Add(waitLimit); !isSecondary(m2); {
		if time.Now().After(deadline) {
			t.Fatal("the second master is not secondary")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done1
	for deadline := time.Now().Add(waitLimit); isSecondary(m2); {
		if time.Now().After(deadline) {
			t.Fatal("the second master did not take over")
		}
		time.Sleep(time.Millisecond)
	}
	s := dial(t, m2, storageAnswers())
	acc, err := s.identify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 2}, testCluster, proto.Extra{})
	if err != nil || acc.MyNID != mustNID(proto.Master, 2) {
		t.Fatalf("identification: %+v %v", acc, err)
	}
	nl := s.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation)
	var self, old proto.NodeInfo
	for _, n := range nl.Nodes {
		if n.Type == proto.Master && n.Addr.String() == m2.Addr() {
			self = n
		}
		if n.Type == proto.Master && n.Addr.String() == m1.Addr() {
			old = n
		}
	}
	if self.NID != mustNID(proto.Master, 2) || self.State != proto.NodeRunning || old.State != proto.NodeDown {
		t.Fatalf("node list %+v", nl.Nodes)
	}
	s.skipTo(proto.CodeStartOperation)
}
