package fs1

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestPackLive packs a storage while goroutines load objects and commit
// new revisions: loads never fail nor return another object's data, the
// commits made during the pack are in the packed file, an iteration begun
// before the pack goes on over the old file, and the storage takes
// commits after it.
func TestPackLive(t *testing.T) {
	src := filepath.Join(t.TempDir(), "gen.fs")
	db := genPackDB(t, src, 2000, 100, 4, 7)
	path := copyFS(t, src)
	fs, _ := openRW(t, path)
	defer fs.Close()

	var (
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		loadErr  atomic.Pointer[error]
		loads    atomic.Int64
		commits  = make(chan zodb.Tid, 1<<16)
		mu       sync.Mutex
		lastData = map[zodb.Oid][]byte{}
	)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(g), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				oid := db.leaves[rnd.IntN(len(db.leaves))]
				data, _, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
				if err == nil && !bytes.Contains(data, fmt.Appendf(nil, "oid %d rev", oid)) {
					err = fmt.Errorf("load %s: data of another object", oid)
				}
				if err != nil {
					loadErr.CompareAndSwap(nil, &err)
					return
				}
				loads.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(commits)
		rnd := rand.New(rand.NewPCG(7, 7))
		for rev := 100; ; rev++ {
			select {
			case <-stop:
				return
			default:
			}
			oid := db.leaves[rnd.IntN(len(db.leaves))]
			data := packRecord(oid, rev, nil, 64)
			tid, err := packCommit(fs, oid, data)
			if err != nil {
				t.Error(err)
				return
			}
			commits <- tid
			mu.Lock()
			lastData[oid] = data
			mu.Unlock()
		}
	}()

	// An iteration begun before the pack.
	it := fs.Iterate(ctx, 0, zodb.TidMax)
	if _, _, err := it.NextTxn(ctx); err != nil {
		t.Fatal(err)
	}
	head := fs.Head()
	// Let commits happen while the GC reads the file.
	waitCommits := func(n int) {
		for range n {
			if _, ok := <-commits; !ok {
				t.Error("committer stopped")
				return
			}
		}
	}
	var once sync.Once
	res, err := fs.Pack(ctx, db.packTid, &PackOptions{Progress: func(done, total int64) {
		once.Do(func() { waitCommits(5) })
	}})
	if err != nil || !res.Packed {
		t.Fatalf("pack: %+v, %v", res, err)
	}
	waitCommits(5) // and after the switch
	close(stop)
	wg.Wait()
	if p := loadErr.Load(); p != nil {
		t.Fatalf("a load failed: %v", *p)
	}
	t.Logf("%d loads; pack %d -> %d bytes", loads.Load(), res.OldSize, res.NewSize)

	n := 1
	for ; ; n++ {
		if _, _, err := it.NextTxn(ctx); err != nil {
			break
		}
	}
	if n < db.txns {
		t.Errorf("iteration begun before the pack: %d transactions, want at least %d", n, db.txns)
	}
	var after []zodb.Tid
	for _, txn := range packDump(t, fs, head+1, zodb.TidMax) {
		after = append(after, txn.info.Tid)
	}
	if len(after) < 10 {
		t.Errorf("only %d transactions committed during and after the pack", len(after))
	}
	checkLastData(t, fs, lastData)
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}
	packed := openRO(t, path)
	defer packed.Close()
	checkLastData(t, packed, lastData)
	orig := openRO(t, src)
	defer orig.Close()
	for oid := range reachableAt(t, orig, db.packTid) {
		checkSameLoad(t, orig, packed, zodb.Xid{At: db.packTid, Oid: oid})
	}
}

func checkLastData(t *testing.T, fs *FileStorage, last map[zodb.Oid][]byte) {
	t.Helper()
	for oid, want := range last {
		data, _, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
		if err != nil || !bytes.Equal(data, want) {
			t.Errorf("load %s: %v, data equal: %v", oid, err, bytes.Equal(data, want))
		}
	}
}

// packCommit stores data as a new revision of oid and returns its tid.
func packCommit(fs *FileStorage, oid zodb.Oid, data []byte) (zodb.Tid, error) {
	_, serial, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
	if err != nil {
		return 0, err
	}
	txn, err := fs.Begin(ctx, zodb.TxnMeta{User: []byte("live")})
	if err != nil {
		return 0, err
	}
	defer txn.Abort()
	if err := txn.Store(ctx, oid, serial, data); err != nil {
		return 0, err
	}
	if err := txn.Vote(ctx); err != nil {
		return 0, err
	}
	return txn.Finish(ctx)
}

// TestPackLiveUndoOfPacked commits, while the pack runs, a transaction
// whose record points back to a revision before the pack time that the
// pack drops (as an undo of an old transaction would): the packed file
// gets that revision's data copied in, where Python's pack fails.
func TestPackLiveUndoOfPacked(t *testing.T) {
	src := filepath.Join(t.TempDir(), "gen.fs")
	db := genPackDB(t, src, 300, 100, 4, 7)
	fs, _ := openRW(t, src)
	defer fs.Close()
	oid := db.leaves[3]
	revs, err := fs.History(ctx, oid, zodb.TidMax, 100)
	if err != nil {
		t.Fatal(err)
	}
	first := revs[len(revs)-1].Tid
	want, _, err := fs.Load(ctx, zodb.Xid{At: first, Oid: oid})
	if err != nil {
		t.Fatal(err)
	}
	var restored zodb.Tid
	var once sync.Once
	res, err := fs.Pack(ctx, db.packTid, &PackOptions{Progress: func(done, total int64) {
		once.Do(func() {
			restored = zodb.TidAfter(fs.Head(), time.Now())
			txn, err := fs.BeginRestore(ctx, &zodb.TxnInfo{Tid: restored, Status: zodb.TxnComplete})
			if err == nil {
				err = txn.Restore(ctx, oid, nil, first)
			}
			if err == nil {
				err = txn.Vote(ctx)
			}
			if err == nil {
				err = txn.Finish(ctx)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}})
	if err != nil || !res.Packed {
		t.Fatalf("pack: %+v, %v", res, err)
	}
	got, serial, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
	if err != nil || serial != restored || !bytes.Equal(got, want) {
		t.Errorf("load %s: serial %s, %v; want %s and the first revision's data (equal: %v)",
			oid, serial, err, restored, bytes.Equal(got, want))
	}
	if _, _, err := fs.Load(ctx, zodb.Xid{At: first, Oid: oid}); !zodb.IsNoData(err) {
		t.Errorf("load %s at its first revision: %v, want it packed away", oid, err)
	}
}
