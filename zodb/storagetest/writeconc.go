package storagetest

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// checkInvisible holds a transaction between Vote and Finish and looks at
// the storage from outside: nothing of it shows, and other committers
// wait for the commit lock.
func checkInvisible(t *testing.T, w zodb.Writer) {
	a := newOid(t, w)
	t0 := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("v0")})
	txn, _ := w.Begin(bg, zodb.TxnMeta{})
	defer txn.Abort()
	if err := storeVote(txn, rec{oid: a, serial: t0, data: []byte("v1")}); err != nil {
		t.Fatal(err)
	}
	wantUnchanged := func() {
		t.Helper()
		if h := w.Head(); h != t0 {
			t.Errorf("head %s before Finish, want %s", h, t0)
		}
		if h, err := w.Sync(bg); err != nil || h != t0 {
			t.Errorf("sync %s %v before Finish, want %s", h, err, t0)
		}
		wantLoad(t, w, a, zodb.TidMax, []byte("v0"), t0)
		if txns := readAll(t, w, 0, zodb.TidMax, &ReadOptions{}); len(txns) != 1 {
			t.Errorf("%d transactions before Finish, want 1", len(txns))
		}
		if hist, err := w.History(bg, a, zodb.TidMax, 10); err != nil || len(hist) != 1 {
			t.Errorf("history before Finish: %+v %v", hist, err)
		}
	}
	wantUnchanged()

	// Another committer waits for the commit lock as long as its
	// context lets it.
	other, _ := w.Begin(bg, zodb.TxnMeta{})
	defer other.Abort()
	b := newOid(t, w)
	if err := other.Store(bg, b, 0, []byte("other")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	err := other.Vote(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("vote while another transaction holds the commit lock: %v", err)
	}
	wantUnchanged()

	t1, err := txn.Finish(bg)
	if err != nil {
		t.Fatal(err)
	}
	if h := w.Head(); h != t1 {
		t.Errorf("head %s after Finish, want %s", h, t1)
	}
	wantLoad(t, w, a, zodb.TidMax, []byte("v1"), t1)
	// The committer that gave up can try again.
	if err := other.Vote(bg); err != nil {
		t.Fatal(err)
	}
	if t2, err := other.Finish(bg); err != nil || t2 <= t1 {
		t.Errorf("finish after the wait: %s %v", t2, err)
	}
}

// checkConcurrentCommit has goroutines commit to their own objects at the
// same time: all commits get through, with distinct increasing tids.
func checkConcurrentCommit(t *testing.T, w zodb.Writer) {
	const workers, commits = 4, 15
	oids := make([]zodb.Oid, workers)
	for i := range oids {
		oids[i] = newOid(t, w)
	}
	tids := make([][]zodb.Tid, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var serial zodb.Tid
			for n := range commits {
				data := []byte(strconv.Itoa(i) + "/" + strconv.Itoa(n))
				tid, err := tryCommit(w, zodb.TxnMeta{}, rec{oid: oids[i], serial: serial, data: data})
				if err != nil {
					errs <- err
					return
				}
				serial = tid
				tids[i] = append(tids[i], tid)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all := map[zodb.Tid]bool{}
	for i, ts := range tids {
		for n, tid := range ts {
			if all[tid] || (n > 0 && tid <= ts[n-1]) {
				t.Fatalf("worker %d: tid %s repeated or not increasing", i, tid)
			}
			all[tid] = true
		}
		wantLoad(t, w, oids[i], zodb.TidMax, []byte(strconv.Itoa(i)+"/"+strconv.Itoa(commits-1)), ts[commits-1])
	}
	if txns := readAll(t, w, 0, zodb.TidMax, &ReadOptions{}); len(txns) != workers*commits {
		t.Errorf("%d transactions, want %d", len(txns), workers*commits)
	}
}

// checkCounter has goroutines increment one counter, retrying on
// conflicts: no increment is lost.
func checkCounter(t *testing.T, w zodb.Writer) {
	const workers, incs = 3, 8
	c := newOid(t, w)
	commit(t, w, zodb.TxnMeta{}, rec{oid: c, data: []byte("0")})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < incs; {
				data, serial, err := w.Load(bg, zodb.Xid{At: zodb.TidMax, Oid: c})
				if err != nil {
					errs <- err
					return
				}
				n, _ := strconv.Atoi(string(data))
				_, err = tryCommit(w, zodb.TxnMeta{}, rec{oid: c, serial: serial, data: []byte(strconv.Itoa(n + 1))})
				var ce *zodb.ConflictError
				switch {
				case err == nil:
					done++
				case !errors.As(err, &ce):
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	data, _, err := w.Load(bg, zodb.Xid{At: zodb.TidMax, Oid: c})
	if err != nil || string(data) != strconv.Itoa(workers*incs) {
		t.Errorf("counter %q %v, want %d", data, err, workers*incs)
	}
}

// checkStableReads loads an object at the head while it is committed to
// over and over: what loads at a head never changes later, so no reader
// saw a transaction before it was complete.
func checkStableReads(t *testing.T, w zodb.Writer) {
	a := newOid(t, w)
	serial := commit(t, w, zodb.TxnMeta{}, rec{oid: a, data: []byte("0")})
	type seen struct {
		data   []byte
		serial zodb.Tid
	}
	var mu sync.Mutex
	views := map[zodb.Tid]seen{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				h := w.Head()
				data, s, err := w.Load(bg, zodb.Xid{At: h, Oid: a})
				if err != nil || s > h {
					t.Errorf("load %s@%s: serial %s, %v", a, h, s, err)
					return
				}
				mu.Lock()
				if v, ok := views[h]; !ok {
					views[h] = seen{data, s}
				} else if !bytes.Equal(v.data, data) || v.serial != s {
					t.Errorf("load %s@%s: %q@%s, earlier %q@%s", a, h, data, s, v.data, v.serial)
				}
				mu.Unlock()
			}
		}()
	}
	for n := 1; n <= 30; n++ {
		serial = commit(t, w, zodb.TxnMeta{}, rec{oid: a, serial: serial, data: []byte(strconv.Itoa(n))})
	}
	close(stop)
	wg.Wait()
	for h, v := range views {
		wantLoad(t, w, a, h, v.data, v.serial)
	}
}

// fillForRead commits a little of everything for the read suite.
func fillForRead(t *testing.T, w zodb.Writer) {
	var oids []zodb.Oid
	serials := map[zodb.Oid]zodb.Tid{}
	for i := range 20 {
		var recs []rec
		if i%3 == 0 || len(oids) == 0 {
			oids = append(oids, newOid(t, w))
		}
		for j, oid := range oids {
			if (i+j)%2 == 0 {
				recs = append(recs, rec{oid: oid, serial: serials[oid], data: []byte(strconv.Itoa(i) + ":" + strconv.Itoa(j))})
			}
		}
		if i == 11 {
			recs = append(recs, rec{oid: oids[0], serial: serials[oids[0]]})
		}
		tid := commit(t, w, zodb.TxnMeta{User: []byte("u" + strconv.Itoa(i))}, recs...)
		for _, r := range recs {
			serials[r.oid] = tid
		}
	}
	first := readAll(t, w, 0, zodb.TidMax, &ReadOptions{})[0]
	tid := w.Head() + 1<<32
	r := first.recs[0]
	restore(t, w, zodb.TxnInfo{Tid: tid, Description: []byte("undo")}, restoreRec{oid: r.Oid, data: r.Data, dataTid: first.info.Tid})
	commit(t, w, zodb.TxnMeta{Description: []byte("empty")})
}

// nopClose keeps the read suite from closing the storage it reads.
type nopClose struct{ zodb.Writer }

func (nopClose) Close() error { return nil }
