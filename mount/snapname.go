package mount

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// backwardIterator is a storage that iterates from its newest
// transactions back (fs1.FileStorage does): resolving a date to the state
// at that time then reads from the end, not from the start.
type backwardIterator interface {
	IterateBackward(ctx context.Context, tidMin, tidMax zodb.Tid) zodb.Iterator
}

// resolveSnap reads the name of a root entry "@<what>": the state it
// names, and whether name is that state's own name, "@" and the 16 hex
// digits of a transaction's tid. Other names are aliases of that one:
//
//	@<16 hex digits>   a tid between transactions: the state at it
//	@<1-15 hex digits> the one transaction whose tid starts so
//	@<date>            a date or time as tid ranges take them (2024-01-02,
//	                   "2024-01-02 10:00", "3 days ago"): the state then
//
// A name for a time before the first transaction, after head, a prefix no
// tid or more than one has, or anything else gives errNotFound.
func (f *FS) resolveSnap(ctx context.Context, name string) (tid zodb.Tid, canonical bool, err error) {
	what, ok := strings.CutPrefix(name, "@")
	if !ok || what == "" {
		return 0, false, errNotFound
	}
	if len(what) < 16 && isLowerHex(what) {
		tid, err := f.tidWithPrefix(ctx, what)
		if err != errNotFound {
			return tid, false, err
		}
		// "2024" is also a year
	}
	x, err := zodb.ParseTidOrTime(what, time.Now())
	if err != nil {
		return 0, false, errNotFound
	}
	if len(what) == 16 && x.String() == what {
		if _, err := f.txn(ctx, x); err == nil {
			return x, true, nil
		} else if err != errNotFound {
			return 0, false, err
		}
	}
	tid, err = f.stateAt(ctx, x)
	return tid, false, err
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// tidWithPrefix returns the tid of the one transaction whose tid, in hex,
// starts with prefix (up to 15 digits).
func (f *FS) tidWithPrefix(ctx context.Context, prefix string) (zodb.Tid, error) {
	v, err := strconv.ParseUint(prefix, 16, 64)
	if err != nil {
		return 0, errNotFound
	}
	shift := uint(4 * (16 - len(prefix)))
	lo := zodb.Tid(v << shift)
	hi := lo | zodb.Tid(uint64(1)<<shift-1)
	if head := f.head.current(ctx); hi > head {
		hi = head
	}
	if lo > hi {
		return 0, errNotFound
	}
	it := iterate(ctx, f.stor, lo, hi)
	var found []zodb.Tid
	for len(found) < 2 {
		info, _, err := it.NextTxn(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		found = append(found, info.Tid)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 2:
		f.log.Info("zodb mount: @"+prefix+" is ambiguous", "tid", found[0], "tid2", found[1])
	}
	return 0, errNotFound
}

// stateAt returns the tid of the state at x: the last transaction with a
// tid <= x.
func (f *FS) stateAt(ctx context.Context, x zodb.Tid) (zodb.Tid, error) {
	head := f.head.current(ctx)
	if x > head {
		head = f.head.sync(ctx)
	}
	if x >= head {
		// After head and not in the future, the state is head's; the
		// state at a future time is not known yet.
		if head == 0 || x > head && x > zodb.TidFromTime(time.Now()) {
			return 0, errNotFound
		}
		return head, nil
	}
	if bi, ok := f.stor.(backwardIterator); ok {
		info, _, err := bi.IterateBackward(ctx, 0, x).NextTxn(ctx)
		if err == io.EOF {
			return 0, errNotFound
		}
		if err != nil {
			return 0, err
		}
		return info.Tid, nil
	}
	it := iterate(ctx, f.stor, 0, x)
	var last zodb.Tid
	for {
		info, _, err := it.NextTxn(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		last = info.Tid
	}
	if last == 0 {
		return 0, errNotFound
	}
	return last, nil
}
