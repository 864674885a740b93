package master

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// Node-level tests: a real master on 127.0.0.1 and scripted peers that
// send and answer what NEO/py's nodes do in the recorded traces
// (s1-bootstrap, s2-client-commit-load, s6-stop).

const testCluster = "test"

// waitLimit only keeps a broken test from hanging forever; no assertion

// depends on timing.

const waitLimit = 20 * time.Second

func startMaster(t testing.TB, cfg Config) (*Master, <-chan error) {
	t.Helper()
	cfg.Cluster = testCluster
	cfg.Bind = "127.0.0.1:0"
	cfg.Logger = testLogger()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		done <- m.Run(ctx)
		close(stopped)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(waitLimit):
			t.Error("master did not stop")
		}
	})
	return m, done
}

// testLogger discards the log, unless $NEO_TEST_LOG asks it on stderr.
func testLogger() *slog.Logger {
	if os.Getenv("NEO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// fake is a scripted peer.

type fake struct {
	t       testing.TB
	l       *link.Link
	got     chan link.Request
	answers map[uint16]func(proto.Msg) proto.Msg
	discard atomic.Bool // drop packets instead of queuing them for expect
}

func dial(t testing.TB, m *Master, answers map[uint16]func(proto.Msg) proto.Msg) *fake {
	t.Helper()
	f := &fake{t: t, got: make(chan link.Request, 1000), answers: answers}
	l, err := link.Dial(context.Background(), "tcp", m.Addr(), link.Options{Ordered: true, Handler: link.HandlerFunc(func(l *link.Link, req link.Request) {
		if a := f.answers[req.Msg.Code()]; a != nil {
			if ans := a(req.Msg); ans != nil {
				l.Answer(req, ans)
			}
		}
		if f.discard.Load() {
			return
		}
		f.got <- req
	})})
	if err != nil {
		t.Fatal(err)
	}
	f.l = l
	t.Cleanup(func() { l.Close() })
	return f
}

func (f *fake) identify(typ proto.NodeType, nid proto.NID, addr *proto.Address, name string, extra proto.Extra) (*proto.AcceptIdentification, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	return f.l.Identify(ctx, &proto.RequestIdentification{NodeType: typ, NID: nid, Addr: addr, ClusterName: name, IDTimestamp: proto.NoTime, Extra: proto.AppendExtra(nil, extra)})
}

func (f *fake) mustIdentify(typ proto.NodeType, nid proto.NID, addr *proto.Address) proto.NID {
	f.t.Helper()
	acc, err := f.identify(typ, nid, addr, testCluster, proto.Extra{})
	if err != nil {
		f.t.Fatal(err)
	}
	if acc.NodeType != proto.Master || acc.MyNID != mustNID(proto.Master, 1) {
		f.t.Fatalf("AcceptIdentification %+v", acc)
	}
	return acc.YourNID
}

func (f *fake) ask(msg proto.Msg) (proto.Msg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	return f.l.Ask(ctx, msg)
}

func (f *fake) mustAsk(msg proto.Msg) proto.Msg {
	f.t.Helper()
	a, err := f.ask(msg)
	if err != nil {
		f.t.Fatalf("%s: %v", proto.Format(msg), err)
	}
	return a
}

// expect returns the next packet from the master, which must have code.

func (f *fake) expect(code uint16) proto.Msg {
	f.t.Helper()
	select {
	case req := <-f.got:
		if req.Msg.Code() != code {
			name, _ := proto.CodeName(code)
			f.t.Fatalf("got %s, want %s", proto.Format(req.Msg), name)
		}
		return req.Msg
	case <-time.After(waitLimit):
		name, _ := proto.CodeName(code)
		f.t.Fatalf("no %s from the master", name)
		return nil
	}
}

// expectSkippingNodes is expect, letting node list changes through
// (when their time depends on when a peer's loss is noticed).
func (f *fake) expectSkippingNodes(code uint16) proto.Msg {
	f.t.Helper()
	for {
		select {
		case req := <-f.got:
			if req.Msg.Code() == proto.CodeNotifyNodeInformation && code != proto.CodeNotifyNodeInformation {
				continue
			}
			if req.Msg.Code() != code {
				name, _ := proto.CodeName(code)
				f.t.Fatalf("got %s, want %s", proto.Format(req.Msg), name)
			}
			return req.Msg
		case <-time.After(waitLimit):
			name, _ := proto.CodeName(code)
			f.t.Fatalf("no %s from the master", name)
			return nil
		}
	}
}

// expectClosed waits for the master to close the link.

func (f *fake) expectClosed() {
	f.t.Helper()
	select {
	case <-f.l.Done():
	case <-time.After(waitLimit):
		f.t.Fatal("the master did not close the connection")
	}
}

// storageAnswers answers as an empty NEO/py storage (s1-bootstrap).

func storageAnswers() map[uint16]func(proto.Msg) proto.Msg {
	return map[uint16]func(proto.Msg) proto.Msg{
		proto.CodeAskRecovery: func(proto.Msg) proto.Msg {
			return &proto.AnswerRecovery{PTid: proto.NoPTid, BackupTid: proto.NoTid, TruncateTid: proto.NoTid}
		},
		proto.CodeAskLockedTransactions: func(proto.Msg) proto.Msg { return &proto.AnswerLockedTransactions{} },
		proto.CodeAskLastIDs: func(proto.Msg) proto.Msg {
			return &proto.AnswerLastIDs{LastTid: proto.NoTid, LastOid: proto.NoOid, FirstTid: proto.MaxTid}
		},
		proto.CodeAskPackOrders: func(proto.Msg) proto.Msg { return &proto.AnswerPackOrders{} },
		proto.CodeAskLockInformation: func(m proto.Msg) proto.Msg {
			return &proto.TidMsg{PacketCode: proto.CodeAnswerInformationLocked, Tid: m.(*proto.AskLockInformation).TTid}
		},
	}
}

// bootStorage identifies a storage and checks the packets NEO/py's

// master sends it up to RUNNING (s1-bootstrap's master -> storage1).

func bootStorage(t testing.TB, m *Master, port uint16, np int) *fake {
	t.Helper()
	s := dial(t, m, storageAnswers())
	acc, err := s.identify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: port}, testCluster, proto.Extra{Devpath: []string{}, NewNID: []uint32{}})
	if err != nil {
		t.Fatal(err)
	}
	if acc.YourNID != 1 {
		t.Fatalf("storage got %v, want S1", acc.YourNID)
	}
	nni := s.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation)
	if len(nni.Nodes) != 2 || nni.Nodes[0].NID != 1 || nni.Nodes[0].State != proto.NodePending || proto.IsNoTime(nni.Nodes[0].IDTimestamp) || nni.Nodes[1].NID != m.self.nid {
		t.Fatalf("node list %+v", nni.Nodes)
	}
	s.expect(proto.CodeAskRecovery)
	nni2 := s.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation)
	if len(nni2.Nodes) != 1 || nni2.Nodes[0].State != proto.NodeRunning || nni2.Timestamp <= nni.Timestamp {
		t.Fatalf("node list %+v", nni2)
	}
	if st := s.expect(proto.CodeNotifyClusterInformation).(*proto.ClusterStateMsg); st.State != proto.Verifying {
		t.Fatalf("cluster %v", st.State)
	}
	pt := s.expect(proto.CodeSendPartitionTable).(*proto.PartitionTable)
	if pt.PTid != 1 || len(pt.Rows) != np || len(pt.Rows[0]) != 1 || pt.Rows[0][0] != (proto.CellInfo{NID: 1, State: proto.UpToDate}) {
		t.Fatalf("table %+v", pt)
	}
	s.expect(proto.CodeAskLockedTransactions)
	s.expect(proto.CodeAskLastIDs)
	if po := s.expect(proto.CodeAskPackOrders).(*proto.TidMsg); po.Tid != 0 {
		t.Fatalf("AskPackOrders(%v)", po.Tid)
	}
	if st := s.expect(proto.CodeNotifyClusterInformation).(*proto.ClusterStateMsg); st.State != proto.Running {
		t.Fatalf("cluster %v", st.State)
	}
	if so := s.expect(proto.CodeStartOperation).(*proto.StartOperation); so.Backup {
		t.Fatal("StartOperation(backup)")
	}
	if err := s.l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBootstrapCommitStop(t *testing.T) {
	m, done := startMaster(t, Config{Autostart: 1, Partitions: 4})

	// An admin first (as in s1): it gets the empty table.
	a := dial(t, m, nil)
	if nid := a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1}); nid != mustNID(proto.Admin, 1) {
		t.Fatalf("admin got %v", nid)
	}
	a.expect(proto.CodeNotifyNodeInformation)
	if pt := a.expect(proto.CodeSendPartitionTable).(*proto.PartitionTable); pt.PTid != proto.NoPTid || len(pt.Rows) != 4 || len(pt.Rows[0]) != 0 {
		t.Fatalf("empty table %+v", pt)
	}
	if cs := a.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskClusterState}).(*proto.ClusterStateMsg); cs.State != proto.Recovering {
		t.Fatalf("cluster %v", cs.State)
	}

	// A client before the cluster runs: NOT_READY 'Retry Later'.
	c0 := dial(t, m, nil)
	_, err := c0.identify(proto.Client, proto.NoNID, nil, testCluster, proto.Extra{})
	var ea *link.ErrorAnswer
	if !errors.As(err, &ea) || ea.Code != proto.NotReady || ea.Message != "Retry Later" {
		t.Fatalf("client during recovery: %v", err)
	}

	s := bootStorage(t, m, 2, 4)

	// Clients get C1, C2, the node list and the table.
	c1 := dial(t, m, nil)
	if nid := c1.mustIdentify(proto.Client, proto.NoNID, nil); nid != mustNID(proto.Client, 1) {
		t.Fatalf("client got %v", nid)
	}
	nl := c1.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation)
	if len(nl.Nodes) != 3 || nl.Nodes[0].Type != proto.Client || nl.Nodes[0].Addr != nil {
		t.Fatalf("client's node list %+v", nl.Nodes)
	}
	c1.expect(proto.CodeSendPartitionTable)
	if nl := s.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); len(nl.Nodes) != 1 || nl.Nodes[0].Type != proto.Client {
		t.Fatalf("storage told %+v", nl.Nodes)
	}
	c2 := dial(t, m, nil)
	if nid := c2.mustIdentify(proto.Client, proto.NoNID, nil); nid != mustNID(proto.Client, 2) {
		t.Fatalf("second client got %v", nid)
	}
	c2.expect(proto.CodeNotifyNodeInformation)
	c2.expect(proto.CodeSendPartitionTable)
	s.expect(proto.CodeNotifyNodeInformation)

	if lt := c1.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskLastTransaction}).(*proto.TidMsg); lt.Tid != 0 {
		t.Fatalf("last transaction %v", lt.Tid)
	}
	c1.mustAsk(&proto.NoArgs{PacketCode: proto.CodePing})

	// A commit: begin, new oids, finish -> lock on the storage ->
	// AnswerTransactionFinished, invalidation to the other client, unlock.
	ttid := c1.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	oids := c1.mustAsk(&proto.AskNewOIDs{NumOids: 3}).(*proto.AnswerNewOIDs).Oids
	if len(oids) != 3 || oids[0] != 1 || oids[2] != 3 {
		t.Fatalf("oids %v", oids)
	}
	fin := c1.mustAsk(&proto.AskFinishTransaction{TTid: ttid, Oids: []zodb.Oid{0, 1}, Deleted: []uint32{}, Checked: []uint32{}}).(*proto.TidPair)
	lock := s.expect(proto.CodeAskLockInformation).(*proto.AskLockInformation)
	if lock.TTid != ttid || lock.Tid != fin.Tid || lock.Pack {
		t.Fatalf("lock %+v, finished %+v", lock, fin)
	}
	if fin.TTid != ttid || fin.Tid <= ttid || uint64(fin.Tid)%4 != uint64(ttid)%4 {
		t.Fatalf("finished %v -> %v", fin.TTid, fin.Tid)
	}
	if u := s.expect(proto.CodeNotifyUnlockInformation).(*proto.TidMsg); u.Tid != ttid {
		t.Fatalf("unlock %v", u.Tid)
	}
	inv := c2.expect(proto.CodeInvalidateObjects).(*proto.InvalidateObjects)
	if inv.Tid != fin.Tid || len(inv.Oids) != 2 {
		t.Fatalf("invalidation %+v", inv)
	}
	if lt := c2.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskLastTransaction}).(*proto.TidMsg); lt.Tid != fin.Tid {
		t.Fatalf("last transaction %v, want %v", lt.Tid, fin.Tid)
	}
	if ft := c1.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskFinalTID, Tid: ttid}).(*proto.TidMsg); ft.Tid != proto.MaxTid {
		t.Fatalf("final tid %v", ft.Tid)
	}
	ids := a.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskLastIDs}).(*proto.AnswerLastIDs)
	if ids.LastTid != fin.Tid || ids.LastOid != 3 || ids.FirstTid != fin.Tid {
		t.Fatalf("last ids %+v", ids)
	}

	// An aborted transaction is forwarded to the storages listed.
	ttid2 := c2.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	if ttid2 <= fin.Tid {
		t.Fatalf("ttid %v after tid %v", ttid2, fin.Tid)
	}
	c2.l.Notify(&proto.AbortTransaction{TTid: ttid2, NIDs: []proto.NID{1}})
	if ab := s.expect(proto.CodeAbortTransaction).(*proto.AbortTransaction); ab.TTid != ttid2 || len(ab.NIDs) != 0 {
		t.Fatalf("abort %+v", ab)
	}

	// neoctl set cluster STOPPING.
	_, err = a.ask(&proto.ClusterStateMsg{PacketCode: proto.CodeSetClusterState, State: proto.Stopping})
	if !errors.As(err, &ea) || ea.Code != proto.Ack || ea.Message != "Cluster state changed" {
		t.Fatalf("SetClusterState: %v", err)
	}
	if st := s.expect(proto.CodeNotifyClusterInformation).(*proto.ClusterStateMsg); st.State != proto.Stopping {
		t.Fatalf("cluster %v", st.State)
	}
	if nl := s.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); len(nl.Nodes) != 1 || nl.Nodes[0].State != proto.NodeDown || nl.Nodes[0].NID != 1 {
		t.Fatalf("storage told %+v", nl.Nodes)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("master still running after STOPPING")
	}
	s.expectClosed()
}

func TestIdentificationRefusals(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 2})
	var ea *link.ErrorAnswer

	f := dial(t, m, nil)
	_, err := f.identify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 5}, "other", proto.Extra{})
	if !errors.As(err, &ea) || ea.Code != proto.ProtocolError || ea.Message != "invalid cluster name" {
		t.Fatalf("alien cluster: %v", err)
	}
	f.expectClosed()

	f = dial(t, m, nil)
	_, err = f.ask(&proto.NoArgs{PacketCode: proto.CodeAskLastIDs})
	if !errors.As(err, &ea) || ea.Code != proto.ProtocolError {
		t.Fatalf("request before identification: %v", err)
	}
	f.expectClosed()

	f = dial(t, m, nil)
	host, port := m.self.addr.Host, m.self.addr.Port
	_, err = f.identify(proto.Storage, proto.NoNID, &proto.Address{Host: host, Port: port}, testCluster, proto.Extra{})
	if !errors.As(err, &ea) || ea.Message != "address conflict" {
		t.Fatalf("own address: %v", err)
	}

	// A second storage claiming S1's NID from another address while S1
	// is connected.
	s := bootStorage(t, m, 7, 2)
	_ = s
	f = dial(t, m, nil)
	_, err = f.identify(proto.Storage, 1, &proto.Address{Host: "127.0.0.1", Port: 8}, testCluster, proto.Extra{})
	if !errors.As(err, &ea) || ea.Message != "already connected" {
		t.Fatalf("NID conflict: %v", err)
	}
	// A new storage is PENDING and gets S2; a client asking for a NID of
	// another namespace gets a fresh one.
	f = dial(t, m, storageAnswers())
	if nid := f.mustIdentify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 9}); nid != 2 {
		t.Fatalf("second storage got %v", nid)
	}
	if nl := f.expect(proto.CodeNotifyNodeInformation).(*proto.NotifyNodeInformation); nl.Nodes[0].State != proto.NodePending {
		t.Fatalf("new storage %+v", nl.Nodes[0])
	}
}

// A storage lost while RUNNING with no other replica: clients are told

// StopOperation and disconnected, the cluster recovers, and restarts by

// itself when the storage comes back with its table.

func TestStorageLostStopsOperation(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 3})
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	s := bootStorage(t, m, 2, 3)
	c := dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	c.expect(proto.CodeNotifyNodeInformation)
	c.expect(proto.CodeSendPartitionTable)

	s.l.Close()
	c.expect(proto.CodeNotifyNodeInformation) // S1 DOWN
	c.expect(proto.CodeStopOperation)
	c.expectClosed()

	// The storage comes back with the table it was given.
	answers := storageAnswers()
	answers[proto.CodeAskRecovery] = func(proto.Msg) proto.Msg {
		return &proto.AnswerRecovery{PTid: 1, BackupTid: proto.NoTid, TruncateTid: proto.NoTid}
	}
	answers[proto.CodeAskPartitionTable] = func(proto.Msg) proto.Msg {
		return &proto.PartitionTable{PacketCode: proto.CodeAnswerPartitionTable, PTid: 1, Rows: [][]proto.CellInfo{{{NID: 1, State: proto.UpToDate}}, {{NID: 1, State: proto.UpToDate}}, {{NID: 1, State: proto.UpToDate}}}}
	}
	answers[proto.CodeAskLockedTransactions] = func(proto.Msg) proto.Msg {
		return &proto.AnswerLockedTransactions{Locked: []proto.LockedTxn{{TTid: 0x0400000000000010, Tid: 0x0400000000000013}}}
	}
	answers[proto.CodeAskLastIDs] = func(proto.Msg) proto.Msg {
		return &proto.AnswerLastIDs{LastTid: 0x0400000000000013, LastOid: 41, FirstTid: 0x0400000000000001}
	}
	s2 := dial(t, m, answers)
	if nid := s2.mustIdentify(proto.Storage, 1, &proto.Address{Host: "127.0.0.1", Port: 2}); nid != 1 {
		t.Fatalf("storage back as %v", nid)
	}
	// (The lost client's removal may be told in between.)
	s2.skipTo(proto.CodeAskRecovery)
	s2.skipTo(proto.CodeAskPartitionTable)
	s2.skipTo(proto.CodeNotifyClusterInformation) // VERIFYING
	s2.expectSkippingNodes(proto.CodeSendPartitionTable)
	s2.expectSkippingNodes(proto.CodeAskLockedTransactions)
	if v := s2.expectSkippingNodes(proto.CodeValidateTransaction).(*proto.TidPair); v.TTid != 0x0400000000000010 || v.Tid != 0x0400000000000013 {
		t.Fatalf("validate %+v", v)
	}
	s2.expectSkippingNodes(proto.CodeAskLastIDs)
	s2.expectSkippingNodes(proto.CodeAskPackOrders)
	s2.expectSkippingNodes(proto.CodeNotifyClusterInformation)
	s2.expectSkippingNodes(proto.CodeStartOperation)
	s2.l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady})

	// The last ids seed allocation.
	c = dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	if lt := c.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskLastTransaction}).(*proto.TidMsg); lt.Tid != 0x0400000000000013 {
		t.Fatalf("last transaction %v", lt.Tid)
	}
	if oids := c.mustAsk(&proto.AskNewOIDs{NumOids: 1}).(*proto.AnswerNewOIDs).Oids; oids[0] != 42 {
		t.Fatalf("oids %v", oids)
	}
	if cs := a.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskClusterState}).(*proto.ClusterStateMsg); cs.State != proto.Running {
		t.Fatalf("cluster %v", cs.State)
	}
}

// BenchmarkCommitRound is the master's part of a commit: begin, then

// finish with one oid, one storage locking it (scripted, answering at

// once), the unlock.

// BenchmarkBegin is a begin round trip (a ttid from the master).

// Two masters: the one started first is primary; the other, accepted by

// it, plays the secondary role, answers identifications with

// NotPrimaryMaster, and exits when the cluster stops.

// isSecondary asks m's loop whether it follows a primary.

// startStorages identifies n scripted storages (the cluster starts with

// them) and waits until each got StartOperation, then says it is ready.

func startStorages(t *testing.T, m *Master, answers []map[uint16]func(proto.Msg) proto.Msg) []*fake {
	t.Helper()
	var out []*fake
	for i, a := range answers {
		s := dial(t, m, a)
		if nid := s.mustIdentify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: uint16(100 + i)}); nid != proto.NID(i+1) {
			t.Fatalf("storage %d got %v", i, nid)
		}
		out = append(out, s)
	}
	for _, s := range out {
		for {
			req := s.next()
			if req.Msg.Code() == proto.CodeStartOperation {
				break
			}
		}
		s.l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady})
	}
	return out
}

func (f *fake) next() link.Request {
	f.t.Helper()
	select {
	case req := <-f.got:
		return req
	case <-time.After(waitLimit):
		f.t.Fatal("nothing from the master")
		return link.Request{}
	}
}

// skipTo returns the next packet with code, dropping others.

func (f *fake) skipTo(code uint16) proto.Msg {
	f.t.Helper()
	for {
		if req := f.next(); req.Msg.Code() == code {
			return req.Msg
		}
	}
}

// A storage lost while the master waits for it to lock a transaction:

// its cells are outdated and the commit completes with the other replica.

// neoctl add, tweak, replication done, set replicas, refused removal:

// the admin requests and what storages are told.

// neoctl kill of a storage whose cells have replicas: it is told it is

// DOWN and disconnected, its cells are outdated.

// A connection that never sends the handshake, a garbage one and a peer

// closing at once do not disturb the master, nor keep it from stopping.

func TestBadPeers(t *testing.T) {
	m, done := startMaster(t, Config{Autostart: 1, Partitions: 1})
	silent, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	junk, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	junk.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	junk.Close()
	// Not the NEO handshake's version.
	old, _ := net.Dial("tcp", m.Addr())
	old.Write([]byte{0x92, 0xa3, 'N', 'E', 'O', 4})
	old.Close()
	// A malformed packet after identification closes that link only.
	f := dial(t, m, nil)
	f.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 2})
	if cs := a.mustAsk(&proto.NoArgs{PacketCode: proto.CodeAskClusterState}).(*proto.ClusterStateMsg); cs.State != proto.Recovering {
		t.Fatalf("cluster %v", cs.State)
	}
	// Requests a handler does not take get PROTOCOL_ERROR and a close.
	var ea *link.ErrorAnswer
	if _, err := f.ask(&proto.AskNewOIDs{NumOids: 1}); !errors.As(err, &ea) || ea.Code != proto.ProtocolError {
		t.Fatalf("admin asking oids: %v", err)
	}
	f.expectClosed()
	_, err = a.ask(&proto.ClusterStateMsg{PacketCode: proto.CodeSetClusterState, State: proto.Stopping})
	if !errors.As(err, &ea) || ea.Code != proto.Ack {
		t.Fatalf("stop: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("master did not stop")
	}
}

// A commit carrying a pack order: approved at once, signed to the

// storages, given to them by AskPackOrders, and WaitForPack answered once

// they completed it (s2-client-commit-load's pack).

// neoctl truncate: refused past the last transaction; else the cluster

// stops, the storage is told StopOperation and Truncate(tid), and the

// cluster restarts after the storage recorded it (s8-extras).

// FailedVote: the transaction may commit without the storages that

// failed if the cluster stays operational without them; those are then

// disconnected before the lock.

// Recovery takes the table of the storage with the highest ptid, and an
// existing cluster restarts by itself once every storage with readable
// cells is back (no autostart needed).
func TestRecoveryNewestTable(t *testing.T) {
	m, _ := startMaster(t, Config{Partitions: 2})
	rows := [][]proto.CellInfo{{{NID: 1, State: proto.UpToDate}}, {{NID: 2, State: proto.UpToDate}}}
	withPT := func(ptid proto.PTid, asked *atomic.Int32) map[uint16]func(proto.Msg) proto.Msg {
		a := storageAnswers()
		a[proto.CodeAskRecovery] = func(proto.Msg) proto.Msg {
			return &proto.AnswerRecovery{PTid: ptid, BackupTid: proto.NoTid, TruncateTid: proto.NoTid}
		}
		a[proto.CodeAskPartitionTable] = func(proto.Msg) proto.Msg {
			asked.Add(1)
			return &proto.PartitionTable{PacketCode: proto.CodeAnswerPartitionTable, PTid: ptid, NumReplicas: 0, Rows: rows}
		}
		return a
	}
	var asked1, asked2 atomic.Int32
	s1 := dial(t, m, withPT(2, &asked1))
	s1.mustIdentify(proto.Storage, 1, &proto.Address{Host: "127.0.0.1", Port: 101})
	s1.skipTo(proto.CodeAskRecovery)
	s2 := dial(t, m, withPT(3, &asked2))
	s2.mustIdentify(proto.Storage, 2, &proto.Address{Host: "127.0.0.1", Port: 102})
	for _, s := range []*fake{s1, s2} {
		s.skipTo(proto.CodeStartOperation)
		s.l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady})
	}
	if asked2.Load() != 1 {
		t.Fatalf("the newest table was asked %d times", asked2.Load())
	}
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	a.expect(proto.CodeNotifyNodeInformation)
	if pt := a.expect(proto.CodeSendPartitionTable).(*proto.PartitionTable); pt.PTid != 3 {
		t.Fatalf("table %+v", pt)
	}
}
