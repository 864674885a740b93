package storage

import (
	"bytes"
	"context"
	"crypto/sha1"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// replicaPeer is a storage replicating from ours: it collects the
// AddTransaction and AddObject packets streamed before each answer.
type replicaPeer struct {
	l    *link.Link
	mu   sync.Mutex
	adds []proto.Msg
}

// take waits for n streamed packets and returns them.
func (r *replicaPeer) take(t *testing.T, n int) []proto.Msg {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		r.mu.Lock()
		if len(r.adds) >= n {
			got := r.adds
			r.adds = nil
			r.mu.Unlock()
			if len(got) != n {
				t.Fatalf("%d packets streamed, want %d: %+v", len(got), n, got)
			}
			return got
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("%d packets streamed, want %d", len(r.adds), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFeedReplication(t *testing.T) {
	_, st, ml, cl, _ := operational(t, 1)
	commitOne(t, ml, cl, 0x100, 0x101, 1, 0, "a1")
	commitOne(t, ml, cl, 0x110, 0x111, 2, 0, "b1")
	commitOne(t, ml, cl, 0x120, 0x121, 1, 0x101, "a2")
	ask(t, cl, &proto.AskObject{Oid: 1, At: proto.NoTid, Before: proto.NoTid}) // barrier for the last unlock

	const nidS2, idtsS2 = proto.NID(2), 3000.5
	notify(t, ml, &proto.NotifyNodeInformation{Timestamp: 3000.5, Nodes: []proto.NodeInfo{
		{Type: proto.Storage, Addr: &proto.Address{Host: "127.0.0.1", Port: 2}, NID: nidS2, State: proto.NodeRunning, IDTimestamp: idtsS2}}})
	r := &replicaPeer{}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	l, err := link.Dial(ctx, "tcp", st.Addr(), link.Options{Ordered: true, Handler: link.HandlerFunc(func(l *link.Link, req link.Request) {
		r.mu.Lock()
		r.adds = append(r.adds, req.Msg)
		r.mu.Unlock()
	})})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Identify(ctx, &proto.RequestIdentification{NodeType: proto.Storage, NID: nidS2,
		Addr: &proto.Address{Host: "127.0.0.1", Port: 2}, ClusterName: testCluster, IDTimestamp: idtsS2}); err != nil {
		t.Fatal(err)
	}

	// Transactions by chunks of 2; the peer has 0x111 and a stray 0x105.
	a := ask(t, l, &proto.AskFetchTransactions{Partition: 0, Length: 2, MinTid: 0, MaxTid: proto.MaxTid,
		Tids: []zodb.Tid{0x105, 0x111}, AskPackInfo: true}).(*proto.AnswerFetchTransactions)
	if a.NextTid != 0x121 || len(a.Tids) != 1 || a.Tids[0] != 0x105 || a.CompletedPack != 0 {
		t.Fatalf("first chunk: %+v", a)
	}
	if got := r.take(t, 1); got[0].(*proto.AddTransaction).Tid != 0x101 || got[0].(*proto.AddTransaction).TTid != 0x100 {
		t.Fatalf("streamed: %+v", got[0])
	}
	a = ask(t, l, &proto.AskFetchTransactions{Partition: 0, Length: 2, MinTid: 0x121, MaxTid: proto.MaxTid}).(*proto.AnswerFetchTransactions)
	if a.NextTid != proto.NoTid || len(a.Tids) != 0 || a.CompletedPack != proto.NoTid {
		t.Fatalf("last chunk: %+v", a)
	}
	if add := r.take(t, 1)[0].(*proto.AddTransaction); add.Tid != 0x121 || len(add.Oids) != 1 || add.Oids[0] != 1 {
		t.Fatalf("streamed: %+v", add)
	}

	// Objects: the peer has (0x101, oid 1) and a stray (0x101, oid 9).
	o := ask(t, l, &proto.AskFetchObjects{Partition: 0, Length: 5, MinTid: 0, MaxTid: proto.MaxTid, MinOid: 0,
		Objects: []proto.SerialOids{{Serial: 0x101, Oids: []zodb.Oid{1, 9}}}}).(*proto.AnswerFetchObjects)
	if o.NextTid != proto.NoTid || o.NextOid != proto.NoOid || len(o.Objects) != 1 || o.Objects[0].Serial != 0x101 ||
		len(o.Objects[0].Oids) != 1 || o.Objects[0].Oids[0] != 9 {
		t.Fatalf("objects: %+v", o)
	}
	got := r.take(t, 2)
	b, a2 := got[0].(*proto.AddObject), got[1].(*proto.AddObject)
	if b.Oid != 2 || b.Serial != 0x111 || string(b.Data) != "b1" || a2.Oid != 1 || a2.Serial != 0x121 || string(a2.Data) != "a2" {
		t.Fatalf("streamed objects: %+v %+v", b, a2)
	}
	// A chunk ending early says where to go on.
	o = ask(t, l, &proto.AskFetchObjects{Partition: 0, Length: 1, MinTid: 0, MaxTid: proto.MaxTid}).(*proto.AnswerFetchObjects)
	if o.NextTid != 0x111 || o.NextOid != 2 {
		t.Fatalf("short chunk: %+v", o)
	}
	r.take(t, 1)
	// A partition not readable here is refused.
	_, err = l.Ask(ctx, &proto.AskFetchTransactions{Partition: 3, Length: 2, MaxTid: proto.MaxTid})
	wantError(t, err, proto.ReplicationError, "partition 3 not readable")

	// The replica checker's digests, as NEO/py's SQL makes them.
	sum := func(s string) []byte { h := sha1.Sum([]byte(s)); return h[:] }
	tr := ask(t, l, &proto.AskCheckTIDRange{Partition: 0, Length: 10, MinTid: 0, MaxTid: proto.MaxTid}).(*proto.AnswerCheckTIDRange)
	if tr.Count != 3 || !bytes.Equal(tr.Checksum, sum("257,273,289")) || tr.MaxTid != 0x121 {
		t.Fatalf("tid range: %+v", tr)
	}
	sr := ask(t, l, &proto.AskCheckSerialRange{Partition: 0, Length: 10, MinTid: 0, MaxTid: proto.MaxTid}).(*proto.AnswerCheckSerialRange)
	if sr.Count != 3 || !bytes.Equal(sr.TidChecksum, sum("257,273,289")) || sr.MaxTid != 0x121 ||
		!bytes.Equal(sr.OidChecksum, sum("1,2,1")) || sr.MaxOid != 1 {
		t.Fatalf("serial range: %+v", sr)
	}
	empty := ask(t, l, &proto.AskCheckTIDRange{Partition: 0, Length: 10, MinTid: 0x200, MaxTid: proto.MaxTid}).(*proto.AnswerCheckTIDRange)
	if empty.Count != 0 || !bytes.Equal(empty.Checksum, make([]byte, 20)) || empty.MaxTid != 0 {
		t.Fatalf("empty tid range: %+v", empty)
	}
}
