package storage

import (
	"context"
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

// operational starts a storage under a scripted master and connects C1.
func operational(t *testing.T, np int) (m *scriptedMaster, st *Storage, ml, cl *link.Link, done chan error) {
	t.Helper()
	m = newScriptedMaster(t)
	st, done = newTestStorage(t, m, filepath.Join(t.TempDir(), "s1.db"))
	ml = m.accept()
	m.identifyStorage(ml, st, proto.NoNID)
	ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery})
	m.start(ml, np)
	cl, err := dialClient(t, st, nidC1, idtsC1, testCluster)
	if err != nil {
		t.Fatal(err)
	}
	return m, st, ml, cl, done
}

// A transaction locked when the master goes away survives: the next
// master finds it with AskLockedTransactions and validates it.
func TestLockedTransactionAfterMasterLoss(t *testing.T) {
	m, st, ml, cl, _ := operational(t, 1)
	const ttid, tid = zodb.Tid(0x500), zodb.Tid(0x505)
	ask(t, cl, storeMsg(ttid, 3, 0, "three"))
	ask(t, cl, &proto.AskStoreTransaction{TTid: ttid, Oids: []zodb.Oid{3}})
	ask(t, ml, &proto.AskLockInformation{TTid: ttid, Tid: tid})
	// A transaction only stored is forgotten.
	ask(t, cl, storeMsg(0x600, 4, 0, "four"))
	ml.Close()

	ml = m.accept()
	m.identifyStorage(ml, st, nidS1)
	// Clients were disconnected.
	select {
	case <-cl.Done():
	case <-time.After(waitLimit):
		t.Fatal("client link kept after the master was lost")
	}
	ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery})
	notify(t, ml, pt1(1, proto.UpToDate))
	locked := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskLockedTransactions}).(*proto.AnswerLockedTransactions)
	if len(locked.Locked) != 1 || locked.Locked[0] != (proto.LockedTxn{TTid: ttid, Tid: tid}) {
		t.Fatalf("locked transactions: %+v", locked.Locked)
	}
	notify(t, ml, &proto.TidPair{PacketCode: proto.CodeValidateTransaction, TTid: ttid, Tid: tid})
	ids := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskLastIDs}).(*proto.AnswerLastIDs)
	if ids.LastTid != tid {
		t.Fatalf("last tid after validation: %+v", ids)
	}
	m.next(proto.CodeNotifyPackCompleted)
	notify(t, ml, &proto.StartOperation{})
	m.next(proto.CodeNotifyReady)
	notify(t, ml, &proto.NotifyNodeInformation{Timestamp: 2000, Nodes: []proto.NodeInfo{
		{Type: proto.Client, NID: nidC1, State: proto.NodeRunning, IDTimestamp: idtsC1 + 1}}})
	cl, err := dialClient(t, st, nidC1, idtsC1+1, testCluster)
	if err != nil {
		t.Fatal(err)
	}
	o := ask(t, cl, &proto.AskObject{Oid: 3, At: proto.NoTid, Before: proto.NoTid}).(*proto.AnswerObject)
	if o.Serial != tid || string(o.Data) != "three" {
		t.Fatalf("validated object: %+v", o)
	}
	_, err = cl.Ask(context.Background(), &proto.AskObject{Oid: 4, At: proto.NoTid, Before: proto.NoTid})
	wantError(t, err, proto.OidDoesNotExist, "0000000000000004")
	if a := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskLockedTransactions}).(*proto.AnswerLockedTransactions); len(a.Locked) != 0 {
		t.Fatalf("locked transactions after validation: %+v", a.Locked)
	}
}

// A client that goes away loses its transactions not voted: the locks
// they held go to the waiting one.
func TestClientGoneReleasesLocks(t *testing.T) {
	_, st, ml, cl, _ := operational(t, 1)
	notify(t, ml, &proto.NotifyNodeInformation{Timestamp: 1500, Nodes: []proto.NodeInfo{
		{Type: proto.Client, NID: nidC1 + 1, State: proto.NodeRunning, IDTimestamp: 1500}}})
	c2, err := dialClient(t, st, nidC1+1, 1500, testCluster)
	if err != nil {
		t.Fatal(err)
	}
	ask(t, cl, storeMsg(0x100, 1, 0, "c1"))
	// C2's younger transaction waits for C1's lock.
	answer := make(chan proto.Msg, 1)
	go func() {
		a, _ := c2.Ask(context.Background(), storeMsg(0x200, 1, 0, "c2"))
		answer <- a
	}()
	cl.Close()
	select {
	case a := <-answer:
		if m, ok := a.(*proto.TidMsg); !ok || m.Tid != proto.NoTid {
			t.Fatalf("store after the lock holder left: %+v", a)
		}
	case <-time.After(waitLimit):
		t.Fatal("store still waiting after the lock holder left")
	}
	// The master saying C2 is gone aborts even its voted transaction.
	ask(t, c2, &proto.TidMsg{PacketCode: proto.CodeAskVoteTransaction, Tid: 0x200})
	notify(t, ml, &proto.NotifyNodeInformation{Timestamp: 1501, Nodes: []proto.NodeInfo{
		{Type: proto.Client, NID: nidC1 + 1, State: proto.NodeUnknown, IDTimestamp: 1500}}})
	select {
	case <-c2.Done():
	case <-time.After(waitLimit):
		t.Fatal("link of a client the master dropped kept")
	}
	ask(t, ml, &proto.NoArgs{PacketCode: proto.CodePing}) // barrier
	st.mu.Lock()
	n := len(st.mu.tm.txns)
	st.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d transactions left", n)
	}
}

// A secondary master answers NotPrimaryMaster: the storage goes to the
// primary it names.
func TestNotPrimaryMaster(t *testing.T) {
	primary := newScriptedMaster(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		l, err := link.NewLink(c, link.Options{Handler: link.HandlerFunc(func(l *link.Link, r link.Request) {
			pa := primary.ln.Addr().(*net.TCPAddr)
			sa := ln.Addr().(*net.TCPAddr)
			l.Answer(r, &proto.NotPrimaryMaster{Primary: 1, Masters: []*proto.Address{
				{Host: "127.0.0.1", Port: uint16(sa.Port)}, {Host: "127.0.0.1", Port: uint16(pa.Port)}}})
		})})
		if err == nil {
			<-l.Done()
		}
	}()
	st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{ln.Addr().String()},
		Bind: "127.0.0.1:0", Logger: discardLog}, Adapter: "SQLite", Database: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	ml := primary.accept()
	primary.identifyStorage(ml, st, proto.NoNID)
}

// Partition changes are applied in order and persisted.
func TestPartitionChanges(t *testing.T) {
	_, st, ml, _, _ := operational(t, 2)
	notify(t, ml, &proto.NotifyPartitionChanges{PTid: 2, NumReplicas: 1, Cells: []proto.CellChange{{Partition: 1, NID: 2, State: proto.OutOfDate}}})
	pt := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskPartitionTable}).(*proto.PartitionTable)
	if pt.PTid != 2 || pt.NumReplicas != 1 || len(pt.Rows[1]) != 2 || pt.Rows[1][1] != (proto.CellInfo{NID: 2, State: proto.OutOfDate}) {
		t.Fatalf("table after change: %+v", pt)
	}
	bpt, err := st.db.PartitionTable()
	if err != nil || bpt.PTid != 2 || len(bpt.Cells) != 3 {
		t.Fatalf("persisted table: %+v, %v", bpt, err)
	}
	// A change skipping a ptid is a protocol error: the storage drops the
	// link and comes back.
	_, err = ml.Ask(context.Background(), &proto.NotifyPartitionChanges{PTid: 9})
	wantError(t, err, proto.ProtocolError, "wrong partition table id")
}

// Loads served from the node's object cache match the database's
// answers across new commits.
func TestObjectCacheAcrossCommits(t *testing.T) {
	_, st, ml, cl, _ := operational(t, 1)
	load := func(at, before zodb.Tid) *proto.AnswerObject {
		t.Helper()
		return ask(t, cl, &proto.AskObject{Oid: 5, At: at, Before: before}).(*proto.AnswerObject)
	}
	commitOne(t, ml, cl, 0x100, 0x101, 5, 0, "v1")
	for i := 0; i < 2; i++ { // from the database, then from the cache
		if o := load(proto.NoTid, proto.NoTid); o.Serial != 0x101 || string(o.Data) != "v1" || o.NextSerial != proto.NoTid {
			t.Fatalf("current: %+v", o)
		}
		if o := load(proto.NoTid, 0x200); o.Serial != 0x101 || o.NextSerial != proto.NoTid {
			t.Fatalf("before: %+v", o)
		}
	}
	st.mu.Lock()
	cached := st.mu.cache.m[5] != nil
	st.mu.Unlock()
	if !cached {
		t.Fatal("current revision not cached")
	}
	commitOne(t, ml, cl, 0x110, 0x111, 5, 0x101, "v2")
	if o := load(proto.NoTid, proto.NoTid); o.Serial != 0x111 || string(o.Data) != "v2" {
		t.Fatalf("current after a new commit: %+v", o)
	}
	if o := load(proto.NoTid, 0x111); o.Serial != 0x101 || o.NextSerial != 0x111 || string(o.Data) != "v1" {
		t.Fatalf("before the new commit: %+v", o)
	}
	if o := load(0x101, proto.NoTid); o.Serial != 0x101 || o.NextSerial != 0x111 {
		t.Fatalf("at the old serial: %+v", o)
	}
	if o := load(proto.NoTid, 0x200); o.Serial != 0x111 || o.NextSerial != proto.NoTid {
		t.Fatalf("before, from the cache: %+v", o)
	}
}

// A master of another cluster refuses us: Run says so and returns.
func TestMasterOfAnotherCluster(t *testing.T) {
	m := newScriptedMaster(t)
	_, done := newTestStorage(t, m, filepath.Join(t.TempDir(), "s1.db"))
	ml := m.accept()
	r := m.next(proto.CodeRequestIdentification)
	_, e := link.AcceptIdentification(r.Msg.(*proto.RequestIdentification), link.Policy{ClusterName: "other"})
	ml.Answer(r, e.Packet())
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "invalid cluster name") {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("storage still running")
	}
}

// A database failing under the node stops it with the error.
func TestDatabaseFailureStops(t *testing.T) {
	_, st, ml, _, done := operational(t, 1)
	st.db.Close()
	notify(t, ml, &proto.NotifyPartitionChanges{PTid: 2, Cells: []proto.CellChange{{Partition: 0, NID: 2, State: proto.OutOfDate}}})
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Run returned nil after a database failure")
		}
	case <-time.After(waitLimit):
		t.Fatal("storage still running after a database failure")
	}
}

// Pack orders are not carried out: an approved one is reported done at
// once, as NEO/py with --disable-pack.
func TestPackSignedCompletes(t *testing.T) {
	m, _, ml, _, _ := operational(t, 1)
	notify(t, ml, &proto.NotifyPackSigned{Approved: []zodb.Tid{0x50, 0x70}, Rejected: []zodb.Tid{}})
	if r := m.next(proto.CodeNotifyPackCompleted); r.Msg.(*proto.TidMsg).Tid != 0x70 {
		t.Fatalf("pack completed: %+v", r.Msg)
	}
}

// Truncate (neoctl truncate): recorded at once, done at the next
// AskLastIDs, as NEO/py.
func TestTruncate(t *testing.T) {
	m, st, ml, cl, _ := operational(t, 2)
	commitOne(t, ml, cl, 0x100, 0x102, 1, 0, "a")
	commitOne(t, ml, cl, 0x110, 0x112, 2, 0, "b")
	commitOne(t, ml, cl, 0x120, 0x122, 1, 0x102, "c")
	ask(t, cl, &proto.AskObject{Oid: 1, At: proto.NoTid, Before: proto.NoTid}) // caches oid 1 at 0x122
	notify(t, ml, &proto.NoArgs{PacketCode: proto.CodeStopOperation})
	notify(t, ml, &proto.TidMsg{PacketCode: proto.CodeTruncate, Tid: 0x102})
	rec := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery}).(*proto.AnswerRecovery)
	if rec.TruncateTid != 0x102 || rec.BackupTid != proto.NoTid {
		t.Fatalf("recovery after Truncate: %+v", rec)
	}
	ids := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskLastIDs}).(*proto.AnswerLastIDs)
	if ids.LastTid != 0x102 || ids.LastOid != 1 {
		t.Fatalf("last ids after truncation: %+v", ids)
	}
	m.next(proto.CodeNotifyPackCompleted)
	if rec := ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery}).(*proto.AnswerRecovery); rec.TruncateTid != proto.NoTid {
		t.Fatalf("truncate tid kept: %+v", rec)
	}
	notify(t, ml, &proto.StartOperation{})
	m.next(proto.CodeNotifyReady)
	cl, err := dialClient(t, st, nidC1, idtsC1, testCluster)
	if err != nil {
		t.Fatal(err)
	}
	if o := ask(t, cl, &proto.AskObject{Oid: 1, At: proto.NoTid, Before: proto.NoTid}).(*proto.AnswerObject); o.Serial != 0x102 || string(o.Data) != "a" {
		t.Fatalf("oid 1 after truncation: %+v", o)
	}
	_, err = cl.Ask(context.Background(), &proto.AskObject{Oid: 2, At: proto.NoTid, Before: proto.NoTid})
	wantError(t, err, proto.OidDoesNotExist, "0000000000000002")
	_, err = cl.Ask(context.Background(), &proto.TidMsg{PacketCode: proto.CodeAskTransactionInformation, Tid: 0x122})
	wantError(t, err, proto.TidNotFound, "does not exist")
}

// --reset erases the database and does not listen: the address may be
// taken by the node being reset.
func TestReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1.db")
	st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{"127.0.0.1:1"}, Logger: discardLog},
		Adapter: "SQLite", Database: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Run(ctxDone()); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	// The database of cluster "test" is reset for cluster "other".
	st, err = New(Config{Config: cluster.Config{Cluster: "other", Masters: []string{"127.0.0.1:1"}, Bind: busy.Addr().String(), Logger: discardLog},
		Adapter: "SQLite", Database: path, Reset: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Addr() != "" {
		t.Fatalf("reset node listens on %s", st.Addr())
	}
	if err := st.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{"127.0.0.1:1"}}, Adapter: "SQLite", Database: path})
	if err == nil || !strings.Contains(err.Error(), `cluster "other"`) {
		t.Fatalf("after reset for another cluster: %v", err)
	}
}

// A master gone while the cluster is STOPPING stops the node, even
// without telling it DOWN.
func TestMasterGoneWhileStopping(t *testing.T) {
	_, _, ml, _, done := operational(t, 1)
	notify(t, ml, &proto.ClusterStateMsg{PacketCode: proto.CodeNotifyClusterInformation, State: proto.Stopping})
	ask(t, ml, &proto.NoArgs{PacketCode: proto.CodePing}) // barrier
	ml.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("storage still running after the stopping master left")
	}
}
