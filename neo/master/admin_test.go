package master

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

func TestAdminAddTweak(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 2})
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	var ea *link.ErrorAnswer
	_, err := a.ask(&proto.AddPendingNodes{NIDs: []proto.NID{2}})
	if !errors.As(err, &ea) || ea.Code != proto.Denied || ea.Message != "addPendingNodes RPC can not be used in RECOVERING state" {
		t.Fatalf("add during recovery: %v", err)
	}
	s1 := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers()})[0]

	// A new storage joins the running cluster as PENDING.
	s2 := dial(t, m, storageAnswers())
	if nid := s2.mustIdentify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 200}); nid != 2 {
		t.Fatalf("new storage got %v", nid)
	}
	if nl := s2.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); nl.Nodes[0].State != proto.NodePending {
		t.Fatalf("new storage %+v", nl.Nodes[0])
	}
	s2.expect(proto.CodeSendPartitionTable)

	_, err = a.ask(&proto.AddPendingNodes{NIDs: []proto.NID{2}})
	if !errors.As(err, &ea) || ea.Code != proto.Ack || ea.Message != "Nodes added: S2" {
		t.Fatalf("add: %v", err)
	}
	s2.expect(proto.CodeStartOperation)
	s2.l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady})

	tw := a.mustAsk(&proto.TweakPartitionTable{DryRun: true, NIDs: []proto.NID{}}).(*proto.AnswerTweakPartitionTable)
	if !tw.Changed || tw.Rows[1][0].State != proto.Feeding || tw.Rows[1][1] != (proto.CellInfo{NID: 2, State: proto.OutOfDate}) {
		t.Fatalf("dry-run tweak %+v", tw)
	}
	if m2 := a.mustAsk(&proto.TweakPartitionTable{DryRun: true}).(*proto.AnswerTweakPartitionTable); !m2.Changed {
		t.Fatal("a dry run changed the table")
	}
	a.mustAsk(&proto.TweakPartitionTable{DryRun: false, NIDs: []proto.NID{}})
	pc := s2.skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges)
	if pc.PTid != 2 || len(pc.Cells) != 2 {
		t.Fatalf("tweak changes %+v", pc)
	}

	// S2 replicates partition 1: it asks what to, then reports done.
	ut := s2.mustAsk(&proto.AskUnfinishedTransactions{Partitions: []uint32{1}}).(*proto.AnswerUnfinishedTransactions)
	if ut.LastTid != 0 || len(ut.Pending) != 0 {
		t.Fatalf("unfinished %+v", ut)
	}
	s2.l.Notify(&proto.NotifyReplicationDone{Partition: 1, Tid: 0})
	pc = s1.skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges)
	pc = s1.skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges)
	want := []proto.CellChange{{Partition: 1, NID: 2, State: proto.UpToDate}, {Partition: 1, NID: 1, State: proto.Discarded}}
	if pc.PTid != 3 || len(pc.Cells) != 2 || pc.Cells[0] != want[0] || pc.Cells[1] != want[1] {
		t.Fatalf("replication done: %+v", pc)
	}

	_, err = a.ask(&proto.SetNumReplicas{NumReplicas: 1})
	if !errors.As(err, &ea) || ea.Code != proto.Ack {
		t.Fatalf("set replicas: %v", err)
	}
	if pc := s1.skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges); pc.NumReplicas != 1 || len(pc.Cells) != 0 || pc.PTid != 4 {
		t.Fatalf("set replicas: %+v", pc)
	}
	_, err = a.ask(&proto.SetNodeState{NID: 2, State: proto.NodeUnknown})
	if !errors.As(err, &ea) || ea.Code != proto.Denied || ea.Message != "a running node must be stopped before removal" {
		t.Fatalf("drop running: %v", err)
	}
	_, err = a.ask(&proto.SetNodeState{NID: m.self.nid, State: proto.NodeDown})
	if !errors.As(err, &ea) || ea.Message != "can not kill primary master node" {
		t.Fatalf("kill primary: %v", err)
	}
	_, err = a.ask(&proto.ClusterStateMsg{PacketCode: proto.CodeSetClusterState, State: proto.Verifying})
	if !errors.As(err, &ea) || ea.Code != proto.Denied || ea.Message != "Can not switch to this state" {
		t.Fatalf("start when running: %v", err)
	}
	// neoctl kill S2 refuses: it has the only copy of partition 1.
	_, err = a.ask(&proto.SetNodeState{NID: 2, State: proto.NodeDown})
	if !errors.As(err, &ea) || ea.Code != proto.Denied || ea.Message != "Refuse to drop nodes that contain the only readable copies of partition 1" {
		t.Fatalf("kill: %v", err)
	}
}

func TestAdminKillStorage(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 2, Partitions: 2, Replicas: 1})
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	s := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers(), storageAnswers()})
	var ea *link.ErrorAnswer
	_, err := a.ask(&proto.SetNodeState{NID: 2, State: proto.NodeDown})
	if !errors.As(err, &ea) || ea.Code != proto.Ack || ea.Message != "state changed" {
		t.Fatalf("kill: %v", err)
	}
	if nl := s[1].skipTo(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); nl.Nodes[0].NID != 2 || nl.Nodes[0].State != proto.NodeDown {
		t.Fatalf("killed storage told %+v", nl.Nodes)
	}
	s[1].expectClosed()
	pc := s[0].skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges)
	if len(pc.Cells) != 2 || pc.Cells[0].NID != 2 || pc.Cells[0].State != proto.OutOfDate {
		t.Fatalf("changes %+v", pc)
	}
	if nl := s[0].skipTo(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); nl.Nodes[0].NID != 2 || nl.Nodes[0].State != proto.NodeDown {
		t.Fatalf("S1 told %+v", nl.Nodes)
	}
	if cs := a.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskClusterState}).(*proto.ClusterStateMsg); cs.State != proto.Running {
		t.Fatalf("cluster %v", cs.State)
	}
}

func TestTruncate(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 1})
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	truncated := atomic.Bool{}
	answers := storageAnswers()
	answers[proto.CodeAskRecovery] = func(proto.Msg) proto.Msg {
		r := &proto.AnswerRecovery{PTid: 1, BackupTid: proto.NoTid, TruncateTid: proto.NoTid}
		if truncated.Load() {
			r.TruncateTid = 0x0400000000000001
		}
		return r
	}
	answers[proto.CodeAskPartitionTable] = func(proto.Msg) proto.Msg {
		return &proto.PartitionTable{PacketCode: proto.CodeAnswerPartitionTable, PTid: 1, Rows: [][]proto.CellInfo{{{NID: 1, State: proto.UpToDate}}}}
	}
	answers[proto.CodeAskLastIDs] = func(proto.Msg) proto.Msg {
		if truncated.Load() {
			return &proto.AnswerLastIDs{LastTid: 0x0400000000000001, LastOid: 0, FirstTid: 0x0400000000000001}
		}
		return &proto.AnswerLastIDs{LastTid: 0x0400000000000003, LastOid: 0, FirstTid: 0x0400000000000001}
	}
	// Like a storage, it records the truncation when told.
	answers[proto.CodeTruncate] = func(proto.Msg) proto.Msg {
		truncated.Store(true)
		return nil
	}
	s := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{answers})[0]
	var ea *link.ErrorAnswer
	_, err := a.ask(&proto.TidMsg{PacketCode: proto.CodeTruncate, Tid: 0x0400000000000003})
	if !errors.As(err, &ea) || ea.Code != proto.Denied || ea.Message != "Truncating after last transaction does nothing" {
		t.Fatalf("truncate at the end: %v", err)
	}
	_, err = a.ask(&proto.TidMsg{PacketCode: proto.CodeTruncate, Tid: 0x0400000000000001})
	if !errors.As(err, &ea) || ea.Code != proto.Ack {
		t.Fatalf("truncate: %v", err)
	}
	s.skipTo(proto.CodeStopOperation)
	if tr := s.expect(proto.CodeTruncate).(*proto.TidMsg); tr.Tid != 0x0400000000000001 {
		t.Fatalf("truncate %v", tr.Tid)
	}
	s.skipTo(proto.CodeAskRecovery)
	s.skipTo(proto.CodeStartOperation)
	if ids := a.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskLastIDs}).(*proto.AnswerLastIDs); ids.LastTid != 0x0400000000000001 {
		t.Fatalf("last tid after truncation %v", ids.LastTid)
	}
}

// A storage started with --new-nid (no address, the partitions its copied
// database has): a new NID, its cells OUT_OF_DATE, DOWN until it comes
// back with that NID.
func TestNewNIDStorage(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 2})
	s1 := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers()})[0]
	f := dial(t, m, nil)
	acc, err := f.identify(proto.Storage, proto.NoNID, nil, testCluster, proto.Extra{Devpath: []string{}, NewNID: []uint32{0, 1}})
	if err != nil || acc.YourNID != 2 {
		t.Fatalf("new-nid storage: %+v %v", acc, err)
	}
	if nl := f.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); nl.Nodes[0].State != proto.NodeDown {
		t.Fatalf("new-nid storage %+v", nl.Nodes[0])
	}
	pc := s1.skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges)
	want := []proto.CellChange{{Partition: 0, NID: 2, State: proto.OutOfDate}, {Partition: 1, NID: 2, State: proto.OutOfDate}}
	if len(pc.Cells) != 2 || pc.Cells[0] != want[0] || pc.Cells[1] != want[1] {
		t.Fatalf("changes %+v", pc)
	}
	// Without partitions, or with a NID, it is refused.
	var ea *link.ErrorAnswer
	g := dial(t, m, nil)
	if _, err := g.identify(proto.Storage, proto.NoNID, nil, testCluster, proto.Extra{}); !errors.As(err, &ea) || ea.Code != proto.ProtocolError {
		t.Fatalf("no address, no new_nid: %v", err)
	}
}
