package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestReadersBesideWriter: loads run while transactions commit; a load
// that starts after UnlockTransaction returned sees that transaction (the
// node sends invalidations then), and none sees a half-moved one.
func TestReadersBesideWriter(t *testing.T) {
	db, _ := newTestDB(t, 4, Options{})
	readersBesideWriter(t, db)
}

// TestReadersRollbackJournal: the same with NEO/py's own journal mode
// chosen in a file: URL, where a reader's open transaction would block
// the writer's commits.
func TestReadersRollbackJournal(t *testing.T) {
	db, err := Open("file:"+filepath.Join(t.TempDir(), "neo.sqlite")+"?journal_mode=DELETE", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetNID(testNID)
	db.SetPartitionTable(fullPT(1, 4, 0, testNID), testNID)
	readersBesideWriter(t, db)
}

func readersBesideWriter(t *testing.T, db *DB) {
	commitTxn(t, db, 4, 4, rec{oid: 0, data: []byte("0")}, rec{oid: 1, data: []byte("0")})
	var head atomic.Uint64 // last unlocked tid
	head.Store(4)
	const ntxn = 50
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				h := zodb.Tid(head.Load())
				// Both objects are written by every transaction: they must
				// always be at the same revision, at least h.
				o0, err0 := db.Object(0, proto.NoTid, proto.NoTid)
				o1, err1 := db.Object(1, proto.NoTid, h+1)
				if err0 != nil || err1 != nil {
					errs <- fmt.Errorf("load: %v %v", err0, err1)
					return
				}
				if o0.Serial < h || o1.Serial != h {
					errs <- fmt.Errorf("head %s: loaded %s and %s", h, o0.Serial, o1.Serial)
					return
				}
				if string(o0.Data) != fmt.Sprint(uint64(o0.Serial)/4-1) {
					errs <- fmt.Errorf("oid 0 @%s: %q", o0.Serial, o0.Data)
					return
				}
			}
		}()
	}
	for i := 1; i <= ntxn; i++ {
		tid := zodb.Tid(4 * (i + 1))
		d := []byte(fmt.Sprint(i))
		commitTxn(t, db, tid, tid, rec{oid: 0, data: d}, rec{oid: 1, data: d})
		head.Store(uint64(tid))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestWALReset: readers holding snapshots do not let the WAL grow without
// end: past walLimit the writer drains them and truncates it.
func TestWALReset(t *testing.T) {
	defer func(l int64) { walLimit = l }(walLimit)
	walLimit = 128 << 10
	db, path := newTestDB(t, 2, Options{})
	var stop atomic.Bool
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				db.Object(zodb.Oid(r), proto.NoTid, proto.NoTid)
			}
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()
	data := make([]byte, 4000)
	var last int64
	resets := 0
	for i := 1; i <= checkEvery; i++ {
		data[0] = byte(i)
		tid := zodb.Tid(2 * i)
		commitTxn(t, db, tid, tid, rec{oid: zodb.Oid(i % 7), data: data}, rec{oid: zodb.Oid(i%7 + 7), data: data})
		if st, err := os.Stat(path + "-wal"); err == nil {
			if st.Size() < last {
				resets++
			}
			last = st.Size()
		}
	}
	// Some 2 MiB go through the WAL: it must have been emptied.
	if resets < 1 {
		t.Errorf("WAL reset %d times", resets)
	}
}

// TestCloseUnderLoad: loads running while the database closes either
// succeed or fail with a clear error; nothing panics or hangs.
func TestCloseUnderLoad(t *testing.T) {
	db, _ := newTestDB(t, 1, Options{})
	commitTxn(t, db, 1, 1, rec{oid: 0, data: []byte("x")})
	var wg sync.WaitGroup
	var closedErrs atomic.Int32
	for r := 0; r < 8; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := db.Object(0, proto.NoTid, proto.NoTid)
				if err != nil {
					if !errors.Is(err, errClosed) {
						t.Errorf("load while closing: %v", err)
					}
					closedErrs.Add(1)
					return
				}
			}
		}()
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if closedErrs.Load() != 8 {
		t.Errorf("%d loads saw the close", closedErrs.Load())
	}
}
