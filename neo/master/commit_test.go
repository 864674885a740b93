package master

import (
	"errors"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

func BenchmarkCommitRound(b *testing.B) {
	m, _ := startMaster(b, Config{Autostart: 1, Partitions: 4})
	s := bootStorage(b, m, 2, 4)
	c := dial(b, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	s.discard.Store(true)
	c.discard.Store(true)
	oids := []zodb.Oid{1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ttid := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
		c.mustAsk(&proto.AskFinishTransaction{TTid: ttid, Oids: oids, Deleted: []uint32{}, Checked: []uint32{}})
	}
}

func BenchmarkBegin(b *testing.B) {
	m, _ := startMaster(b, Config{Autostart: 1, Partitions: 4})
	s := bootStorage(b, m, 2, 4)
	c := dial(b, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	s.discard.Store(true)
	c.discard.Store(true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ttid := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
		c.l.Notify(&proto.AbortTransaction{TTid: ttid, NIDs: []proto.NID{}})
	}
}

func TestStorageLostDuringCommit(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 2, Partitions: 2, Replicas: 1})
	silent := storageAnswers()
	delete(silent, proto.CodeAskLockInformation)
	s := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers(), silent})
	c := dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	ttid := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	fin := make(chan proto.Msg, 1)
	go func() {
		a, _ := c.ask(&proto.AskFinishTransaction{TTid: ttid, Oids: []zodb.Oid{0}, Deleted: []uint32{}, Checked: []uint32{}})
		fin <- a
	}()
	s[0].skipTo(proto.CodeAskLockInformation)
	s[1].skipTo(proto.CodeAskLockInformation)
	s[1].l.Close()
	pc := s[0].skipTo(proto.CodeNotifyPartitionChanges).(*proto.NotifyPartitionChanges)
	if len(pc.Cells) != 2 || pc.Cells[0].NID != 2 || pc.Cells[0].State != proto.OutOfDate {
		t.Fatalf("partition changes %+v", pc)
	}
	if u := s[0].skipTo(proto.CodeNotifyUnlockInformation).(*proto.TidMsg); u.Tid != ttid {
		t.Fatalf("unlock %v", u.Tid)
	}
	select {
	case a := <-fin:
		if tp, ok := a.(*proto.TidPair); !ok || tp.TTid != ttid {
			t.Fatalf("finish answered %v", a)
		}
	case <-time.After(waitLimit):
		t.Fatal("commit not finished")
	}
}

func TestPack(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 2})
	s := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers()})[0]
	c := dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	commit := func(pack *proto.PackInfo) zodb.Tid {
		ttid := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
		return c.mustAsk(&proto.AskFinishTransaction{TTid: ttid, Oids: []zodb.Oid{0}, Deleted: []uint32{}, Checked: []uint32{}, Pack: pack}).(*proto.TidPair).Tid
	}
	t1 := commit(nil)
	var ea *link.ErrorAnswer
	ttid := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	if _, err := c.ask(&proto.AskFinishTransaction{TTid: ttid, Oids: []zodb.Oid{}, Deleted: []uint32{}, Checked: []uint32{}, Pack: &proto.PackInfo{Tid: ttid}}); !errors.As(err, &ea) || ea.Message != "invalid pack time" {
		t.Fatalf("pack in the future: %v", err)
	}
	c = dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	pid := commit(&proto.PackInfo{Tid: t1})
	if l := s.skipTo(proto.CodeAskLockInformation).(*proto.AskLockInformation); l.Pack {
		t.Fatal("a commit without pack locked as one")
	}
	if l := s.skipTo(proto.CodeAskLockInformation).(*proto.AskLockInformation); !l.Pack || l.Tid != pid {
		t.Fatalf("lock %+v", l)
	}
	if ps := s.skipTo(proto.CodeNotifyPackSigned).(*proto.NotifyPackSigned); len(ps.Approved) != 1 || ps.Approved[0] != pid {
		t.Fatalf("signed %+v", ps)
	}
	po := s.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskPackOrders, Tid: 1}).(*proto.AnswerPackOrders)
	if len(po.Orders) != 1 || po.Orders[0].ID != pid || po.Orders[0].Approved != proto.Approved || po.Orders[0].PackTid != t1 || po.Orders[0].Oids != nil {
		t.Fatalf("orders %+v", po.Orders)
	}
	waited := make(chan error, 1)
	go func() {
		_, err := c.ask(&proto.TidMsg{PacketCode: proto.CodeWaitForPack, Tid: pid})
		waited <- err
	}()
	// The master must have the wait before the completion for the test
	// to check the wait: a Ping after it is a barrier.
	for {
		c.mustAsk(&proto.NoArgs{PacketCode: proto.CodePing})
		ch := make(chan int, 1)
		m.post(func() { ch <- len(m.pm.packs[pid].waiting) })
		if <-ch == 1 {
			break
		}
	}
	s.l.Notify(&proto.TidMsg{PacketCode: proto.CodeNotifyPackCompleted, Tid: pid})
	select {
	case err := <-waited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("WaitForPack not answered")
	}
}

func TestFailedVote(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 2, Partitions: 2, Replicas: 1})
	s := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers(), storageAnswers()})
	c := dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	var ea *link.ErrorAnswer

	ttid := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	_, err := c.ask(&proto.FailedVote{TTid: ttid, NIDs: []proto.NID{1, 2}})
	if !errors.As(err, &ea) || ea.Code != proto.IncompleteTransaction {
		t.Fatalf("vote failed everywhere: %v", err)
	}
	c.l.Notify(&proto.AbortTransaction{TTid: ttid, NIDs: []proto.NID{}})

	ttid = c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	_, err = c.ask(&proto.FailedVote{TTid: ttid, NIDs: []proto.NID{2}})
	if !errors.As(err, &ea) || ea.Code != proto.Ack {
		t.Fatalf("vote failed on S2: %v", err)
	}
	fin := c.mustAsk(&proto.AskFinishTransaction{TTid: ttid, Oids: []zodb.Oid{0}, Deleted: []uint32{}, Checked: []uint32{}}).(*proto.TidPair)
	if l := s[0].skipTo(proto.CodeAskLockInformation).(*proto.AskLockInformation); l.Tid != fin.Tid {
		t.Fatalf("lock %+v", l)
	}
	s[1].expectClosed()
}

// A commit with a given tid (restores, imports): the tid is the ttid and
// the final tid; it must be above the last committed one and no other
// transaction may run meanwhile.
func TestBeginWithTid(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 3})
	startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{storageAnswers()})
	c := dial(t, m, nil)
	c.mustIdentify(proto.Client, proto.NoNID, nil)
	const tid1 = zodb.Tid(0x0300000000000005)
	if got := c.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: tid1}).(*proto.TidMsg).Tid; got != tid1 {
		t.Fatalf("begin(%v) = %v", tid1, got)
	}
	c2 := dial(t, m, nil)
	c2.mustIdentify(proto.Client, proto.NoNID, nil)
	var ea *link.ErrorAnswer
	if _, err := c2.ask(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}); !errors.As(err, &ea) || ea.Code != proto.ProtocolError {
		t.Fatalf("begin beside a given tid: %v", err)
	}
	fin := c.mustAsk(&proto.AskFinishTransaction{TTid: tid1, Oids: []zodb.Oid{1}, Deleted: []uint32{}, Checked: []uint32{}}).(*proto.TidPair)
	if fin.TTid != tid1 || fin.Tid != tid1 {
		t.Fatalf("finished %v -> %v", fin.TTid, fin.Tid)
	}
	if _, err := c.ask(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: tid1}); !errors.As(err, &ea) || ea.Message != "new TID must be greater than the last committed one" {
		t.Fatalf("begin at the last tid: %v", err)
	}
}

// Nodes waiting for a transaction being finished learn its tid when it
// is: a client asking AskFinalTID (recovering from a failure during
// tpc_finish) and a storage replicating (AskUnfinishedTransactions) that
// gets NotifyTransactionFinished.
func TestWaitersOfAFinishingTransaction(t *testing.T) {
	m, _ := startMaster(t, Config{Autostart: 1, Partitions: 1})
	slow := storageAnswers()
	delete(slow, proto.CodeAskLockInformation)
	s1 := startStorages(t, m, []map[uint16]func(proto.Msg) proto.Msg{slow})[0]
	a := dial(t, m, nil)
	a.mustIdentify(proto.Admin, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 1})
	s2 := dial(t, m, storageAnswers())
	s2.mustIdentify(proto.Storage, proto.NoNID, &proto.Address{Host: "127.0.0.1", Port: 300})
	var ea *link.ErrorAnswer
	if _, err := a.ask(&proto.AddPendingNodes{NIDs: []proto.NID{2}}); !errors.As(err, &ea) || ea.Code != proto.Ack {
		t.Fatalf("add: %v", err)
	}
	s2.skipTo(proto.CodeStartOperation)
	s2.l.Notify(&proto.NoArgs{PacketCode: proto.CodeNotifyReady})

	c1 := dial(t, m, nil)
	c1.mustIdentify(proto.Client, proto.NoNID, nil)
	ttid := c1.mustAsk(&proto.TidMsg{PacketCode: proto.CodeAskBeginTransaction, Tid: proto.NoTid}).(*proto.TidMsg).Tid
	fin := make(chan proto.Msg, 1)
	go func() {
		a, _ := c1.ask(&proto.AskFinishTransaction{TTid: ttid, Oids: []zodb.Oid{0}, Deleted: []uint32{}, Checked: []uint32{}})
		fin <- a
	}()
	var lockReq link.Request
	for {
		req := s1.next()
		if req.Msg.Code() == proto.CodeAskLockInformation {
			lockReq = req
			break
		}
	}
	// Waiters register while the lock is pending.
	ut := s2.mustAsk(&proto.AskUnfinishedTransactions{Partitions: []uint32{0}}).(*proto.AnswerUnfinishedTransactions)
	if len(ut.Pending) != 1 || ut.Pending[0] != ttid {
		t.Fatalf("unfinished %+v", ut)
	}
	c2 := dial(t, m, nil)
	c2.mustIdentify(proto.Client, proto.NoNID, nil)
	final := make(chan proto.Msg, 1)
	go func() {
		a, _ := c2.ask(&proto.TidMsg{PacketCode: proto.CodeAskFinalTID, Tid: ttid})
		final <- a
	}()
	// Barrier: the master has c2's AskFinalTID before the lock comes.
	for {
		c2.mustAsk(&proto.NoArgs{PacketCode: proto.CodePing})
		ch := make(chan int, 1)
		m.post(func() {
			n := 0
			if t := m.tm.byTTid[ttid]; t != nil {
				n = len(t.notifyReq)
			}
			ch <- n
		})
		if <-ch == 1 {
			break
		}
	}
	s1.l.Answer(lockReq, &proto.TidMsg{PacketCode: proto.CodeAnswerInformationLocked, Tid: ttid})
	wait := func(ch chan proto.Msg) proto.Msg {
		select {
		case a := <-ch:
			return a
		case <-time.After(waitLimit):
			t.Fatal("no answer")
			return nil
		}
	}
	tid := wait(fin).(*proto.TidPair).Tid
	if ft, ok := wait(final).(*proto.TidMsg); !ok || ft.Tid != tid {
		t.Fatalf("final tid %v, want %v", ft, tid)
	}
	if nf := s2.skipTo(proto.CodeNotifyTransactionFinished).(*proto.TidPair); nf.TTid != ttid || nf.Tid != tid {
		t.Fatalf("transaction finished %+v", nf)
	}
}
