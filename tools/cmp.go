package tools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// CmpOptions tune Cmp. The zero value is fine.
type CmpOptions struct {
	// Verbose, when set, receives what zodbtools' `zodb cmp -v` prints:
	// "equal" or a "not-equal: ..." line at the end, and every 5 seconds
	// a line saying how far the comparison got.
	Verbose io.Writer
	// Progress, when set, is told now and then how far the comparison
	// has got, in units of the tid span it covers.
	Progress func(done, total int64)
}

// Difference is the first difference Cmp found between two storages.
type Difference struct {
	Tid zodb.Tid
	// OnlyIn is 1 or 2 when only that storage has transaction Tid; 0 when
	// both have it but it differs.
	OnlyIn int
	// What says what differs in the transaction, when both have it.
	What string
}

func (d *Difference) String() string {
	if d.OnlyIn != 0 {
		return fmt.Sprintf("tid %s present in stor%d but not in stor%d", d.Tid, d.OnlyIn, 3-d.OnlyIn)
	}
	return fmt.Sprintf("transaction %s is different: %s", d.Tid, d.What)
}

// Cmp compares the transactions of s1 and s2 with tidMin <= tid <= tidMax,
// as zodbtools' cmp does: the same tids, and for each transaction the same
// status, user, description and extension, and the same object records —
// oid, data and backpointer (an undo record equals only an undo record
// pointing to the same transaction). It stops at the first difference and
// returns it, or nil when the storages are equal over the range.
//
// Extensions equal as Python compares them — their raw bytes, or else the
// dicts they unpickle to, so one dict pickled two ways is no difference.
func Cmp(ctx context.Context, s1, s2 zodb.Storage, tidMin, tidMax zodb.Tid, opt *CmpOptions) (*Difference, error) {
	if opt == nil {
		opt = &CmpOptions{}
	}
	progress := newTidProgress(opt.Progress, s1, tidMax)
	c := newTxnCmp(s1.Iterate(ctx, tidMin, tidMax), s2.Iterate(ctx, tidMin, tidMax))
	tick, n := time.Now(), 0
	for {
		tid, diff, err := c.next(ctx)
		if err != nil {
			return nil, fmt.Errorf("tools: cmp: %w", err)
		}
		if diff != nil || tid == 0 {
			if opt.Verbose != nil {
				if diff == nil {
					fmt.Fprintln(opt.Verbose, "equal")
				} else {
					fmt.Fprintln(opt.Verbose, "not-equal: "+diff.verboseString())
				}
			}
			if diff == nil {
				progress.finish()
			}
			return diff, nil
		}
		progress.txn(tid)
		n++
		if opt.Verbose != nil {
			if now := time.Now(); now.Sub(tick) > 5*time.Second {
				fmt.Fprintf(opt.Verbose, "@ %s  (%.2f TPS)\n", tid, float64(n)/now.Sub(tick).Seconds())
				tick, n = now, 0
			}
		}
	}
}

// verboseString is the difference as zodbtools' cmp -v words it — its
// "transaction %s is different" lacks the tid, a slip we do not copy.
func (d *Difference) verboseString() string {
	if d.OnlyIn != 0 {
		return d.String()
	}
	return fmt.Sprintf("transaction %s is different", d.Tid)
}

// txnCmp walks two iterators side by side, comparing their transactions.
type txnCmp struct {
	it   [2]zodb.Iterator
	recs [2]dumper // a transaction's records, sorted by oid, as Dump sorts them
	ext  extCmp
}

func newTxnCmp(it1, it2 zodb.Iterator) *txnCmp {
	return &txnCmp{it: [2]zodb.Iterator{it1, it2}}
}

// next compares the next transactions of both iterators. It returns the
// tid compared and nil when both are equal; a difference; or tid 0 and no
// difference when both iterators ended together.
func (c *txnCmp) next(ctx context.Context) (zodb.Tid, *Difference, error) {
	var txn [2]*zodb.TxnInfo
	for i := range c.it {
		t, d, err := c.it[i].NextTxn(ctx)
		if errors.Is(err, io.EOF) {
			continue
		}
		if err != nil {
			return 0, nil, fmt.Errorf("stor%d: %w", i+1, err)
		}
		txn[i] = t
		if err := c.recs[i].collect(ctx, d); err != nil {
			return 0, nil, fmt.Errorf("stor%d: txn %s: %w", i+1, t.Tid, err)
		}
	}
	t1, t2 := txn[0], txn[1]
	switch {
	case t1 == nil && t2 == nil:
		return 0, nil, nil
	case t2 == nil || t1 != nil && t1.Tid < t2.Tid:
		return 0, &Difference{Tid: t1.Tid, OnlyIn: 1}, nil
	case t1 == nil || t2.Tid < t1.Tid:
		return 0, &Difference{Tid: t2.Tid, OnlyIn: 2}, nil
	}
	if what := c.txnDiff(t1, t2); what != "" {
		return 0, &Difference{Tid: t1.Tid, What: what}, nil
	}
	return t1.Tid, nil, nil
}

// txnDiff says what differs between two transactions of the same tid and
// their records (in c.recs), or "" when nothing does.
func (c *txnCmp) txnDiff(t1, t2 *zodb.TxnInfo) string {
	switch {
	case t1.Status != t2.Status:
		return fmt.Sprintf("status %s != %s", Quote([]byte{byte(t1.Status)}), Quote([]byte{byte(t2.Status)}))
	case !bytes.Equal(t1.User, t2.User):
		return "user differs"
	case !bytes.Equal(t1.Description, t2.Description):
		return "description differs"
	case !c.ext.equal(t1.Extension, t2.Extension):
		return "extension differs"
	}
	r1, r2 := &c.recs[0], &c.recs[1]
	if len(r1.recs) != len(r2.recs) {
		return fmt.Sprintf("%d object records != %d", len(r1.recs), len(r2.recs))
	}
	for i := range r1.recs {
		a, b := &r1.recs[i], &r2.recs[i]
		switch {
		case a.oid != b.oid:
			return fmt.Sprintf("record %d: obj %s != obj %s", i, a.oid, b.oid)
		case a.deleted != b.deleted:
			return fmt.Sprintf("obj %s: deleted in one only", a.oid)
		case !bytes.Equal(r1.arena[a.off:a.off+a.n], r2.arena[b.off:b.off+b.n]):
			return fmt.Sprintf("obj %s: data differs", a.oid)
		case a.dataTid != b.dataTid:
			return fmt.Sprintf("obj %s: data from %s != from %s", a.oid, a.dataTid, b.dataTid)
		}
	}
	return ""
}
