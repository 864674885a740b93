package storagetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// ReadOptions adapt the read suite to a driver or a database.
type ReadOptions struct {
	// IterEnd, when set, accepts an error ending a full iteration as the
	// end of the database (say, a torn tail on which the driver fails
	// as its Python counterpart does). Without it, only io.EOF ends one.
	IterEnd func(err error) bool
}

// txn is one transaction as a full iteration yields it, with copies of
// its records.
type txn struct {
	info zodb.TxnInfo
	recs []zodb.DataInfo
}

// RunReadSuite reads the database that open returns with every read
// method of zodb.Storage and checks the answers against each other. open
// is called for each subtest; the suite closes what it returns. The
// database must not change while the suite runs.
func RunReadSuite(t *testing.T, open func(t *testing.T) zodb.Storage, opt *ReadOptions) {
	if opt == nil {
		opt = &ReadOptions{}
	}
	stor := open(t)
	txns := readAll(t, stor, 0, zodb.TidMax, opt)
	stor.Close()

	run := func(name string, f func(t *testing.T, stor zodb.Storage)) {
		t.Run(name, func(t *testing.T) {
			stor := open(t)
			defer stor.Close()
			f(t, stor)
		})
	}
	run("Head", func(t *testing.T, stor zodb.Storage) { checkHead(t, stor, txns) })
	run("LoadRecords", func(t *testing.T, stor zodb.Storage) { checkLoadRecords(t, stor, txns) })
	run("LoadCurrent", func(t *testing.T, stor zodb.Storage) { checkLoadCurrent(t, stor, txns) })
	run("LoadBefore", func(t *testing.T, stor zodb.Storage) { checkLoadBefore(t, stor, txns) })
	run("History", func(t *testing.T, stor zodb.Storage) { checkHistory(t, stor, txns) })
	run("IterateRanges", func(t *testing.T, stor zodb.Storage) { checkRanges(t, stor, txns, opt) })
	run("ConcurrentLoad", func(t *testing.T, stor zodb.Storage) { checkConcurrentLoad(t, stor, txns) })
}

// readAll iterates [tidMin, tidMax] and returns copies of what it yields,
// checking the iterator's own rules on the way.
func readAll(t *testing.T, stor zodb.Storage, tidMin, tidMax zodb.Tid, opt *ReadOptions) []txn {
	t.Helper()
	ctx := context.Background()
	it := stor.Iterate(ctx, tidMin, tidMax)
	var txns []txn
	for {
		info, di, err := it.NextTxn(ctx)
		if err != nil {
			if err != io.EOF && (opt.IterEnd == nil || !opt.IterEnd(err)) {
				t.Fatalf("iterate %s..%s: %v", tidMin, tidMax, err)
			}
			if _, _, err2 := it.NextTxn(ctx); err2 == nil {
				t.Fatalf("iterate %s..%s: a transaction after the end (%v)", tidMin, tidMax, err)
			}
			return txns
		}
		if info.Tid < tidMin || info.Tid > tidMax {
			t.Fatalf("iterate %s..%s: transaction %s out of range", tidMin, tidMax, info.Tid)
		}
		if n := len(txns); n > 0 && info.Tid <= txns[n-1].info.Tid {
			t.Fatalf("iterate: transaction %s after %s", info.Tid, txns[n-1].info.Tid)
		}
		x := txn{info: copyInfo(info)}
		for {
			d, err := di.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("iterate: transaction %s: %v", info.Tid, err)
			}
			if d.Tid != info.Tid {
				t.Fatalf("iterate: record of %s in transaction %s has tid %s", d.Oid, info.Tid, d.Tid)
			}
			rec := *d
			rec.Data = clone(d.Data)
			x.recs = append(x.recs, rec)
		}
		txns = append(txns, x)
	}
}

func copyInfo(i *zodb.TxnInfo) zodb.TxnInfo {
	c := *i
	c.User, c.Description, c.Extension = clone(i.User), clone(i.Description), clone(i.Extension)
	return c
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func checkHead(t *testing.T, stor zodb.Storage, txns []txn) {
	head := stor.Head()
	var last zodb.Tid
	if n := len(txns); n > 0 {
		last = txns[n-1].info.Tid
	}
	if head < last {
		t.Errorf("head %s before the last transaction %s", head, last)
	}
	// Head may name a transaction that is not served (FileStorage
	// reports a torn tail's tid at open, as Python does), but what Sync
	// returns is the last committed transaction: the data at a synced
	// head never change.
	synced, err := stor.Sync(context.Background())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if synced != last {
		t.Errorf("sync: head %s, want the last transaction %s (Head() said %s)", synced, last, head)
	}
	if h := stor.Head(); h != synced {
		t.Errorf("after sync: Head() %s, Sync said %s", h, synced)
	}
}

// checkLoadRecords loads every record at its own transaction.
func checkLoadRecords(t *testing.T, stor zodb.Storage, txns []txn) {
	for _, x := range txns {
		for _, r := range x.recs {
			checkLoad(t, stor, zodb.Xid{At: x.info.Tid, Oid: r.Oid}, r)
			if r.DataTid != 0 && r.Data != nil {
				data, _, err := stor.Load(context.Background(), zodb.Xid{At: r.DataTid, Oid: r.Oid})
				if err != nil || !bytes.Equal(data, r.Data) {
					t.Errorf("%s@%s: undo record from %s: data there differs (%v)", r.Oid, x.info.Tid, r.DataTid, err)
				}
			}
		}
	}
}

// checkLoad checks that loading xid gives the revision r.
func checkLoad(t *testing.T, stor zodb.Storage, xid zodb.Xid, r zodb.DataInfo) {
	t.Helper()
	data, serial, err := stor.Load(context.Background(), xid)
	if r.Data == nil {
		var nd *zodb.NoDataError
		if !errors.As(err, &nd) {
			t.Errorf("load %s: deleted by %s: want *NoDataError, have %v", xid, r.Tid, err)
		} else if nd.Oid != xid.Oid || nd.DeletedAt != r.Tid {
			t.Errorf("load %s: %v, want deleted at %s", xid, err, r.Tid)
		}
		return
	}
	if err != nil {
		t.Errorf("load %s: %v", xid, err)
		return
	}
	if serial != r.Tid || !bytes.Equal(data, r.Data) {
		t.Errorf("load %s: serial %s, %d bytes; want serial %s, %d bytes as iterated", xid, serial, len(data), r.Tid, len(r.Data))
	}
}

// recordsByOid returns, for each oid, its records in tid order.
func recordsByOid(txns []txn) map[zodb.Oid][]zodb.DataInfo {
	m := map[zodb.Oid][]zodb.DataInfo{}
	for _, x := range txns {
		for _, r := range x.recs {
			m[r.Oid] = append(m[r.Oid], r)
		}
	}
	return m
}

func checkLoadCurrent(t *testing.T, stor zodb.Storage, txns []txn) {
	head := stor.Head()
	for oid, recs := range recordsByOid(txns) {
		checkLoad(t, stor, zodb.Xid{At: head, Oid: oid}, recs[len(recs)-1])
		checkLoad(t, stor, zodb.Xid{At: zodb.TidMax, Oid: oid}, recs[len(recs)-1])
	}
	// An oid above every one the database has.
	var max zodb.Oid
	for oid := range recordsByOid(txns) {
		max = maxOid(max, oid)
	}
	_, _, err := stor.Load(context.Background(), zodb.Xid{At: head, Oid: max + 1})
	var ne *zodb.NoObjectError
	if !errors.As(err, &ne) {
		t.Errorf("load of an unknown oid: want *NoObjectError, have %v", err)
	}
}

func maxOid(a, b zodb.Oid) zodb.Oid {
	if a > b {
		return a
	}
	return b
}

// checkLoadBefore loads every object between its revisions and before its
// first one.
func checkLoadBefore(t *testing.T, stor zodb.Storage, txns []txn) {
	for oid, recs := range recordsByOid(txns) {
		first := recs[0].Tid
		_, _, err := stor.Load(context.Background(), zodb.Xid{At: first - 1, Oid: oid})
		if !zodb.IsNoData(err) {
			t.Errorf("load %s before its first revision %s: want no data, have %v", oid, first, err)
		}
		for i := 1; i < len(recs); i++ {
			if recs[i].Tid-recs[i-1].Tid > 1 {
				checkLoad(t, stor, zodb.Xid{At: recs[i].Tid - 1, Oid: oid}, recs[i-1])
			}
		}
	}
}

// checkHistory checks History from head and from each revision, with and
// without a size limit.
func checkHistory(t *testing.T, stor zodb.Storage, txns []txn) {
	ctx := context.Background()
	for oid, recs := range recordsByOid(txns) {
		for i := len(recs) - 1; i >= 0; i-- {
			at := recs[i].Tid
			if i == len(recs)-1 {
				at = zodb.TidMax
			}
			hist, err := stor.History(ctx, oid, at, len(recs)+1)
			if err != nil {
				t.Errorf("history %s@%s: %v", oid, at, err)
				continue
			}
			checkRevs(t, oid, at, hist, recs[:i+1])
		}
		hist, err := stor.History(ctx, oid, zodb.TidMax, 1)
		if err != nil || len(hist) != 1 || hist[0].Tid != recs[len(recs)-1].Tid {
			t.Errorf("history %s, size 1: %v %v", oid, hist, err)
		}
		_, err = stor.History(ctx, oid, recs[0].Tid-1, 10)
		if !zodb.IsNoData(err) {
			t.Errorf("history %s before its first revision: want no such object, have %v", oid, err)
		}
	}
}

// checkRevs compares hist, newest first, with recs, oldest first.
func checkRevs(t *testing.T, oid zodb.Oid, at zodb.Tid, hist []zodb.RevInfo, recs []zodb.DataInfo) {
	t.Helper()
	if len(hist) != len(recs) {
		t.Errorf("history %s@%s: %d revisions, want %d", oid, at, len(hist), len(recs))
		return
	}
	for i, h := range hist {
		r := recs[len(recs)-1-i]
		if h.Tid != r.Tid || h.Size != len(r.Data) {
			t.Errorf("history %s@%s: revision %d: tid %s size %d, want tid %s size %d",
				oid, at, i, h.Tid, h.Size, r.Tid, len(r.Data))
		}
	}
}

// checkRanges iterates ranges whose ends are transactions, fall between
// transactions, or lie outside the database, and checks they yield
// exactly the transactions in range, with the same records.
func checkRanges(t *testing.T, stor zodb.Storage, txns []txn, opt *ReadOptions) {
	n := len(txns)
	if n == 0 {
		if got := readAll(t, stor, 0, zodb.TidMax, opt); len(got) != 0 {
			t.Errorf("iterate of an empty database yields %d transactions", len(got))
		}
		return
	}
	tid := func(i int) zodb.Tid { return txns[i].info.Tid }
	type rng struct{ lo, hi zodb.Tid }
	ranges := []rng{{0, zodb.TidMax}, {tid(0), tid(n - 1)}, {tid(n - 1), zodb.TidMax},
		{tid(n-1) + 1, zodb.TidMax}, {0, tid(0) - 1}, {tid(n / 2), tid(n / 2)},
		{tid(n-1) + 1, tid(0)}}
	for _, i := range []int{0, 1, n / 3, n / 2, n - 2} {
		for _, j := range []int{i, i + 1, i + 3, n - 1} {
			if i < 0 || j >= n || i > j {
				continue
			}
			ranges = append(ranges, rng{tid(i), tid(j)}, rng{tid(i) + 1, tid(j) - 1}, rng{tid(i) - 1, tid(j) + 1})
		}
	}
	for _, r := range ranges {
		var want []txn
		for _, x := range txns {
			if r.lo <= x.info.Tid && x.info.Tid <= r.hi {
				want = append(want, x)
			}
		}
		got := readAll(t, stor, r.lo, r.hi, opt)
		if !sameTxns(got, want) {
			t.Errorf("iterate %s..%s: %d transactions, want %d", r.lo, r.hi, len(got), len(want))
		}
	}
}

func sameTxns(a, b []txn) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.info.Tid != y.info.Tid || x.info.Status != y.info.Status ||
			!bytes.Equal(x.info.User, y.info.User) || !bytes.Equal(x.info.Description, y.info.Description) ||
			!bytes.Equal(x.info.Extension, y.info.Extension) || len(x.recs) != len(y.recs) {
			return false
		}
		for j := range x.recs {
			r, s := x.recs[j], y.recs[j]
			if r.Oid != s.Oid || r.Tid != s.Tid || r.DataTid != s.DataTid || !bytes.Equal(r.Data, s.Data) ||
				(r.Data == nil) != (s.Data == nil) {
				return false
			}
		}
	}
	return true
}

// checkConcurrentLoad loads every current object from several goroutines
// at once (run with -race to see data races).
func checkConcurrentLoad(t *testing.T, stor zodb.Storage, txns []txn) {
	byOid := recordsByOid(txns)
	head := stor.Head()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for oid, recs := range byOid {
				r := recs[len(recs)-1]
				data, _, err := stor.Load(context.Background(), zodb.Xid{At: head, Oid: oid})
				if r.Data != nil && (err != nil || !bytes.Equal(data, r.Data)) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent load: %v", err)
	}
}
