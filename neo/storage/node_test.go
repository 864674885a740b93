package storage

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// The node tests run our storage against a scripted master that sends
// what NEO/py's master sends in the recorded traces (s1 bootstrap, s2
// commit and load, s6 stop and restart), and a client speaking over a
// real link.

const (
	testCluster = "test"
	nidM1       = proto.NID(-0x10<<24 + 1)
	nidS1       = proto.NID(1)
	nidC1       = proto.NID(-0x20<<24 + 1)
	idtsC1      = 1795546607.2500565
)

// waitLimit only bounds a test that would otherwise hang.
const waitLimit = 20 * time.Second

// scriptedMaster accepts the storage's connections and records what the
// storage sends on them.
type scriptedMaster struct {
	t     testing.TB
	ln    net.Listener
	links chan *link.Link
	in    chan link.Request
}

func newScriptedMaster(t testing.TB) *scriptedMaster { return newScriptedMasterTLS(t, nil) }

func newScriptedMasterTLS(t testing.TB, tlsConfig *tls.Config) *scriptedMaster {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &scriptedMaster{t: t, ln: ln, links: make(chan *link.Link, 4), in: make(chan link.Request, 64)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(m.links)
				return
			}
			l, err := link.NewLink(c, link.Options{TLS: tlsConfig, Ordered: true, Handler: link.HandlerFunc(func(l *link.Link, r link.Request) {
				m.in <- r
			})})
			if err == nil {
				m.links <- l
			}
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return m
}

func (m *scriptedMaster) accept() *link.Link {
	m.t.Helper()
	select {
	case l := <-m.links:
		m.t.Cleanup(func() { l.Close() })
		return l
	case <-time.After(waitLimit):
		m.t.Fatal("storage did not connect to the master")
	}
	return nil
}

// next returns the next packet the storage sent.
func (m *scriptedMaster) next(code uint16) link.Request {
	m.t.Helper()
	select {
	case r := <-m.in:
		if r.Msg.Code() != code {
			name, _ := proto.CodeName(r.Msg.Code())
			want, _ := proto.CodeName(code)
			m.t.Fatalf("storage sent %s %+v, want %s", name, r.Msg, want)
		}
		return r
	case <-time.After(waitLimit):
		m.t.Fatalf("storage sent nothing")
	}
	return link.Request{}
}

func ask(t testing.TB, l *link.Link, msg proto.Msg) proto.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	a, err := l.Ask(ctx, msg)
	if err != nil {
		t.Fatalf("%T: %v", msg, err)
	}
	return a
}

func notify(t testing.TB, l *link.Link, msg proto.Msg) {
	t.Helper()
	if err := l.Notify(msg); err != nil {
		t.Fatal(err)
	}
}

func pt1(np int, state proto.CellState) *proto.PartitionTable {
	rows := make([][]proto.CellInfo, np)
	for i := range rows {
		rows[i] = []proto.CellInfo{{NID: nidS1, State: state}}
	}
	return &proto.PartitionTable{PacketCode: proto.CodeSendPartitionTable, PTid: 1, Rows: rows}
}

// identifyStorage accepts the storage's identification as the primary
// master and checks what it sent.
func (m *scriptedMaster) identifyStorage(l *link.Link, st *Storage, wantNID proto.NID) {
	t := m.t
	t.Helper()
	r := m.next(proto.CodeRequestIdentification)
	req := r.Msg.(*proto.RequestIdentification)
	if req.NodeType != proto.Storage || req.NID != wantNID || req.ClusterName != testCluster ||
		req.Addr == nil || req.Addr.String() != st.Addr() || !proto.IsNoTime(req.IDTimestamp) ||
		string(req.Extra) != string(identifyExtra) {
		t.Fatalf("storage identification: %+v", req)
	}
	l.Answer(r, &proto.AcceptIdentification{NodeType: proto.Master, MyNID: nidM1, YourNID: nidS1})
	notify(t, l, &proto.NotifyNodeInformation{Timestamp: 1000, Nodes: []proto.NodeInfo{
		{Type: proto.Master, Addr: &proto.Address{Host: "127.0.0.1", Port: 1}, NID: nidM1, State: proto.NodeRunning, IDTimestamp: proto.NoTime},
		{Type: proto.Storage, Addr: req.Addr, NID: nidS1, State: proto.NodePending, IDTimestamp: 1000},
	}})
}

// start runs the initialization of s1 up to NotifyReady.
func (m *scriptedMaster) start(l *link.Link, np int) {
	t := m.t
	t.Helper()
	notify(t, l, &proto.ClusterStateMsg{PacketCode: proto.CodeNotifyClusterInformation, State: proto.Verifying})
	notify(t, l, pt1(np, proto.UpToDate))
	if a := ask(t, l, &proto.NoArgs{PacketCode: proto.CodeAskLockedTransactions}).(*proto.AnswerLockedTransactions); len(a.Locked) != 0 {
		t.Fatalf("locked transactions: %+v", a.Locked)
	}
	ask(t, l, &proto.NoArgs{PacketCode: proto.CodeAskLastIDs})
	m.next(proto.CodeNotifyPackCompleted)
	if a := ask(t, l, &proto.TidMsg{PacketCode: proto.CodeAskPackOrders, Tid: 1}).(*proto.AnswerPackOrders); len(a.Orders) != 0 {
		t.Fatalf("pack orders: %+v", a.Orders)
	}
	notify(t, l, &proto.ClusterStateMsg{PacketCode: proto.CodeNotifyClusterInformation, State: proto.Running})
	notify(t, l, &proto.StartOperation{})
	m.next(proto.CodeNotifyReady)
	notify(t, l, &proto.NotifyNodeInformation{Timestamp: 1001, Nodes: []proto.NodeInfo{
		{Type: proto.Storage, Addr: &proto.Address{Host: "127.0.0.1", Port: 1}, NID: nidS1, State: proto.NodeRunning, IDTimestamp: 1000},
		{Type: proto.Client, NID: nidC1, State: proto.NodeRunning, IDTimestamp: idtsC1},
	}})
}

func newTestStorage(t testing.TB, m *scriptedMaster, path string) (*Storage, chan error) {
	t.Helper()
	st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{m.ln.Addr().String()},
		Bind: "127.0.0.1:0", Logger: discardLog}, Adapter: "SQLite", Database: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		done <- st.Run(ctx)
		close(stopped)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(waitLimit):
			t.Error("storage did not stop")
		}
	})
	return st, done
}

func dialClient(t testing.TB, st *Storage, nid proto.NID, idts float64, name string) (*link.Link, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	l, err := link.Dial(ctx, "tcp", st.Addr(), link.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	acc, err := l.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Client, NID: nid, ClusterName: name, IDTimestamp: idts})
	if err != nil {
		return l, err
	}
	if acc.NodeType != proto.Storage || acc.MyNID != nidS1 || acc.YourNID != nid {
		t.Fatalf("accept identification: %+v", acc)
	}
	return l, nil
}

func wantError(t *testing.T, err error, code proto.ErrorCode, msg string) {
	t.Helper()
	var e *link.ErrorAnswer
	if !errors.As(err, &e) || e.Code != code || !strings.Contains(e.Message, msg) {
		t.Fatalf("got %v, want Error %v %q", err, code, msg)
	}
}

func storeMsg(ttid zodb.Tid, oid zodb.Oid, serial zodb.Tid, data string) *proto.AskStoreObject {
	sum := sha1.Sum([]byte(data))
	return &proto.AskStoreObject{Oid: oid, Serial: serial, Checksum: sum[:], Data: []byte(data), DataSerial: proto.NoTid, TTid: ttid}
}

func TestNodeCommitLoadStopRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1.db")
	m := newScriptedMaster(t)
	st, done := newTestStorage(t, m, path)
	ml := m.accept()
	m.identifyStorage(ml, st, proto.NoNID)

	// Clients are refused before the node is operational.
	_, err := dialClient(t, st, nidC1, idtsC1, testCluster)
	wantError(t, err, proto.NotReady, "Retry Later")

	rec := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery}).(*proto.AnswerRecovery)
	if rec.PTid != proto.NoPTid || rec.BackupTid != proto.NoTid || rec.TruncateTid != proto.NoTid {
		t.Fatalf("recovery of a new database: %+v", rec)
	}
	m.start(ml, 2)

	_, err = dialClient(t, st, nidC1, idtsC1, "other")
	wantError(t, err, proto.ProtocolError, "invalid cluster name")
	_, err = dialClient(t, st, nidC1+1, 5, testCluster)
	wantError(t, err, proto.NotReady, "unknown by master")
	cl, err := dialClient(t, st, nidC1, idtsC1, testCluster)
	if err != nil {
		t.Fatal(err)
	}

	// Commit oid 0 and oid 1 (in both partitions); metadata goes with
	// partition(ttid).
	const ttid, tid = zodb.Tid(0x100), zodb.Tid(0x102) // tid in ttid's partition, as the master picks it
	for oid, data := range []string{"zero", "one"} {
		if a := ask(t, cl, storeMsg(ttid, zodb.Oid(oid), 0, data)).(*proto.TidMsg); a.Tid != proto.NoTid {
			t.Fatalf("store: %+v", a)
		}
	}
	ask(t, cl, &proto.AskStoreTransaction{TTid: ttid, User: []byte("u"), Description: []byte("d"), Oids: []zodb.Oid{0, 1}})
	if a := ask(t, ml, &proto.AskLockInformation{TTid: ttid, Tid: tid}).(*proto.TidMsg); a.Code() != proto.CodeAnswerInformationLocked || a.Tid != ttid {
		t.Fatalf("lock: %+v", a)
	}
	// A load between lock and unlock waits for the unlock.
	loaded := make(chan proto.Msg, 1)
	go func() {
		a, _ := cl.Ask(context.Background(), &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid})
		loaded <- a
	}()
	notify(t, ml, &proto.TidMsg{PacketCode: proto.CodeNotifyUnlockInformation, Tid: ttid})
	var o *proto.AnswerObject
	select {
	case a := <-loaded:
		o, _ = a.(*proto.AnswerObject)
	case <-time.After(waitLimit):
	}
	if o == nil || o.Serial != tid || o.NextSerial != proto.NoTid || string(o.Data) != "zero" || o.DataSerial != proto.NoTid {
		t.Fatalf("load after unlock: %+v", o)
	}

	checkReads(t, cl, tid)
	for _, c := range []struct{ ttid, want zodb.Tid }{{ttid, tid}, {ttid + 1, proto.NoTid}} {
		for _, l := range []*link.Link{cl, ml} {
			if a := ask(t, l, &proto.TidMsg{PacketCode: proto.CodeAskFinalTID, Tid: c.ttid}).(*proto.TidMsg); a.Tid != c.want {
				t.Fatalf("final tid of %s: %s, want %s", c.ttid, a.Tid, c.want)
			}
		}
	}

	// A store on an old serial conflicts; a bad checksum is a protocol error.
	if a := ask(t, cl, storeMsg(0x200, 0, 0, "x")).(*proto.TidMsg); a.Tid != tid {
		t.Fatalf("conflicting store: %+v", a)
	}
	notify(t, cl, &proto.AbortTransaction{TTid: 0x200})
	bad := storeMsg(0x201, 0, tid, "x")
	bad.Data = []byte("y")
	_, err = cl.Ask(context.Background(), bad)
	wantError(t, err, proto.ProtocolError, "invalid checksum")

	// STOPPING, then our node DOWN: Run returns nil.
	notify(t, ml, &proto.ClusterStateMsg{PacketCode: proto.CodeNotifyClusterInformation, State: proto.Stopping})
	notify(t, ml, &proto.NotifyNodeInformation{Timestamp: 1002, Nodes: []proto.NodeInfo{
		{Type: proto.Storage, NID: nidS1, State: proto.NodeDown, IDTimestamp: proto.NoTime}}})
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after STOPPING: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Run did not return after the node was marked DOWN")
	}

	// Restart over the same database: NID and table are kept.
	st, _ = newTestStorage(t, m, path)
	ml = m.accept()
	m.identifyStorage(ml, st, nidS1)
	rec = ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery}).(*proto.AnswerRecovery)
	if rec.PTid != 1 {
		t.Fatalf("recovery after restart: %+v", rec)
	}
	pt := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskPartitionTable}).(*proto.PartitionTable)
	if pt.PTid != 1 || len(pt.Rows) != 2 || len(pt.Rows[1]) != 1 || pt.Rows[1][0] != (proto.CellInfo{NID: nidS1, State: proto.UpToDate}) {
		t.Fatalf("partition table after restart: %+v", pt)
	}
	ids := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskLastIDs}).(*proto.AnswerLastIDs)
	if ids.LastTid != tid || ids.LastOid != 1 || ids.FirstTid != tid {
		t.Fatalf("last ids after restart: %+v", ids)
	}
	m.next(proto.CodeNotifyPackCompleted)

	// The master goes away: the storage comes back.
	ml.Close()
	ml = m.accept()
	m.identifyStorage(ml, st, nidS1)
}

// checkReads checks the read requests on the committed transaction tid
// (oids 0 and 1, user "u", description "d").
func checkReads(t *testing.T, cl *link.Link, tid zodb.Tid) {
	t.Helper()
	// NEO/py's getObject: an object with revisions, none matching, is
	// OID_NOT_FOUND, also before its first revision.
	_, err := cl.Ask(context.Background(), &proto.AskObject{Oid: 0, At: proto.NoTid, Before: tid})
	wantError(t, err, proto.OidNotFound, "0000000000000000")
	_, err = cl.Ask(context.Background(), &proto.AskObject{Oid: 0, At: tid - 1, Before: proto.NoTid})
	wantError(t, err, proto.OidNotFound, "0000000000000000")
	_, err = cl.Ask(context.Background(), &proto.AskObject{Oid: 7, At: proto.NoTid, Before: proto.NoTid})
	wantError(t, err, proto.OidDoesNotExist, "0000000000000007")
	if o := ask(t, cl, &proto.AskObject{Oid: 1, At: tid, Before: proto.NoTid}).(*proto.AnswerObject); string(o.Data) != "one" {
		t.Fatalf("load at: %+v", o)
	}
	if a := ask(t, cl, &proto.AskTIDs{First: 0, Last: 10, Partition: proto.InvalidPartition}).(*proto.TidList); len(a.Tids) != 1 || a.Tids[0] != tid {
		t.Fatalf("tids: %+v", a)
	}
	ti := ask(t, cl, &proto.TidMsg{PacketCode: proto.CodeAskTransactionInformation, Tid: tid}).(*proto.AnswerTransactionInformation)
	if ti.Tid != tid || string(ti.User) != "u" || string(ti.Description) != "d" || len(ti.Oids) != 2 {
		t.Fatalf("transaction information: %+v", ti)
	}
	_, err = cl.Ask(context.Background(), &proto.TidMsg{PacketCode: proto.CodeAskTransactionInformation, Tid: tid + 2})
	wantError(t, err, proto.TidNotFound, "does not exist")
	h := ask(t, cl, &proto.AskObjectHistory{Oid: 1, First: 0, Last: 10}).(*proto.AnswerObjectHistory)
	if len(h.History) != 1 || h.History[0] != (proto.HistoryEntry{Serial: tid, Size: 3}) {
		t.Fatalf("history: %+v", h)
	}
	_, err = cl.Ask(context.Background(), &proto.AskObjectHistory{Oid: 9, First: 0, Last: 10})
	wantError(t, err, proto.OidNotFound, "0000000000000009")
	p := uint32(tid % 2)
	if a := ask(t, cl, &proto.AskTIDsFrom{MinTid: 0, MaxTid: proto.MaxTid, Length: 10, Partition: p}).(*proto.TidList); len(a.Tids) != 1 || a.Tids[0] != tid {
		t.Fatalf("tids from: %+v", a)
	}
	if a := ask(t, cl, &proto.AskOIDsFrom{Partition: 1, Length: 10, MinOid: 0, Tid: proto.MaxTid}).(*proto.AnswerOIDsFrom); len(a.Oids) != 1 || a.Oids[0] != 1 {
		t.Fatalf("oids from: %+v", a)
	}
	ask(t, cl, &proto.NoArgs{PacketCode: proto.CodePing})
}

func TestOtherClusterDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1.db")
	m := newScriptedMaster(t)
	st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{m.ln.Addr().String()}, Logger: discardLog},
		Adapter: "SQLite", Database: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Run(ctxDone()); err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{Config: cluster.Config{Cluster: "other", Masters: []string{"127.0.0.1:1"}}, Adapter: "SQLite", Database: path})
	if err == nil || !strings.Contains(err.Error(), `cluster "test", not "other"`) {
		t.Fatalf("database of another cluster: %v", err)
	}
	_, err = New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{"127.0.0.1:1"}}, Adapter: "MySQL", Database: path})
	if err == nil || !strings.Contains(err.Error(), "MySQL") {
		t.Fatalf("unknown adapter: %v", err)
	}
}

func ctxDone() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
