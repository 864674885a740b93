package storage

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// benchNode starts a storage operational under the scripted master, with
// a client link, for benchmarks.
func benchNode(b *testing.B) (*Storage, *link.Link, *link.Link) {
	path := filepath.Join(b.TempDir(), "s1.db")
	m := newScriptedMaster(b)
	st, _ := newTestStorage(b, m, path)
	ml := m.accept()
	m.identifyStorage(ml, st, proto.NoNID)
	ask(b, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery})
	m.start(ml, 1)
	cl, err := dialClient(b, st, nidC1, idtsC1, testCluster)
	if err != nil {
		b.Fatal(err)
	}
	return st, ml, cl
}

// commitOne stores data as oid in ttid and commits it as tid.
func commitOne(tb testing.TB, ml, cl *link.Link, ttid, tid zodb.Tid, oid zodb.Oid, serial zodb.Tid, data string) {
	if a := ask(tb, cl, storeMsg(ttid, oid, serial, data)).(*proto.TidMsg); a.Tid != proto.NoTid {
		tb.Fatalf("store: %+v", a)
	}
	ask(tb, cl, &proto.AskStoreTransaction{TTid: ttid, Oids: []zodb.Oid{oid}})
	ask(tb, ml, &proto.AskLockInformation{TTid: ttid, Tid: tid})
	notify(tb, ml, &proto.TidMsg{PacketCode: proto.CodeNotifyUnlockInformation, Tid: ttid})
}

// BenchmarkAskObject is a client's load of a current revision served
// over loopback, one at a time.
func BenchmarkAskObject(b *testing.B) {
	_, ml, cl := benchNode(b)
	commitOne(b, ml, cl, 0x100, 0x101, 0, 0, string(make([]byte, 100)))
	// The unlock is a notification: a load after it waits for it.
	ask(b, cl, &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid})
	ctx := context.Background()
	req := &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cl.Ask(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAskObjectUncached is BenchmarkAskObject with the node's cache
// off: every load reads the database.
func BenchmarkAskObjectUncached(b *testing.B) {
	st, ml, cl := benchNode(b)
	st.mu.Lock()
	st.mu.cache = newObjCache(0)
	st.mu.Unlock()
	commitOne(b, ml, cl, 0x100, 0x101, 0, 0, string(make([]byte, 100)))
	ask(b, cl, &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid})
	ctx := context.Background()
	req := &proto.AskObject{Oid: 0, At: proto.NoTid, Before: 0x200}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cl.Ask(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAskObjectParallel is 64 concurrent loads on one client link.
func BenchmarkAskObjectParallel(b *testing.B) {
	_, ml, cl := benchNode(b)
	commitOne(b, ml, cl, 0x100, 0x101, 0, 0, string(make([]byte, 100)))
	ask(b, cl, &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	n := b.N
	work := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		work <- struct{}{}
	}
	close(work)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid}
			for range work {
				if _, err := cl.Ask(ctx, req); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkCommitOne is the storage's part of a one-object commit: store,
// vote with metadata, lock (durable), unlock — each a round trip from the
// client or the master.
func BenchmarkCommitOne(b *testing.B) {
	_, ml, cl := benchNode(b)
	data := string(make([]byte, 100))
	commitOne(b, ml, cl, 0x100, 0x101, 0, 0, data)
	last := zodb.Tid(0x101)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ttid := last + 1
		commitOne(b, ml, cl, ttid, ttid+1, 0, last, data)
		last = ttid + 1
	}
}
