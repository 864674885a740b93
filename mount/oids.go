package mount

import (
	"context"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// OidLister is a storage that lists its objects without reading every
// transaction: fs1.FileStorage does it from its index. oid/ uses it when
// the storage has it, else it reads the transactions up to the snapshot.
type OidLister interface {
	// ListOids calls fn with the oid of every object that has a record
	// up to the storage's head, in ascending order, until fn returns
	// false. The head it lists is at least Head() as the call starts and
	// at most Head() as fn is first called. fn is called without locks
	// held and may call the storage.
	ListOids(ctx context.Context, fn func(zodb.Oid) bool) error
}

// oidDirV is oid/: a directory <oid> for every object with a record up to
// the snapshot, deleted ones included, listed in oid order as the listing
// goes: a million objects are listed without holding them in memory (with
// an OidLister; without one, their oids are collected first). Looking up
// another spelling of an oid — 0x3, 3, upper case — gives a symbolic link
// to its 16-digit name; such links are not listed.
type oidDirV struct {
	s *snapshot
}

var _ vdir = (*oidDirV)(nil)

func (d *oidDirV) typ() uint32 { return typeDir }

func (d *oidDirV) mtime(context.Context) (time.Time, error) { return d.s.at.Time(), nil }

func (d *oidDirV) lookup(ctx context.Context, name string) (vnode, error) {
	oid, ok := parseOidName(name)
	if !ok {
		return nil, errNotFound
	}
	rev, err := d.s.obj(ctx, oid)
	if err != nil {
		return nil, err
	}
	if oid.String() != name {
		return &linkV{to: oid.String(), time: d.s.at.Time()}, nil
	}
	return &objDirV{s: d.s, rev: rev}, nil
}

// parseOidName reads an oid as 16 hex digits or as ZODB's oid_repr writes
// it (0x-prefixed, leading zeros dropped).
func parseOidName(s string) (zodb.Oid, bool) {
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if h == "" || len(h) > 16 || h[0] == '+' {
		return 0, false
	}
	v, err := strconv.ParseUint(h, 16, 64)
	return zodb.Oid(v), err == nil
}

func (d *oidDirV) list(ctx context.Context) (lister, error) {
	return &oidLister{s: d.s}, nil
}

// oidLister streams oid/'s entries: it pulls oids from the storage as the
// reader asks for entries, and drops those with no record yet at the
// snapshot.
type oidLister struct {
	s       *snapshot
	next_   func() (zodb.Oid, bool)
	stop    func()
	cancel  context.CancelFunc
	err     *error
	checked bool // every oid pulled exists at the snapshot: no check
}

func (l *oidLister) next(ctx context.Context) (dirent, bool, error) {
	if l.next_ == nil {
		l.start(ctx)
	}
	for {
		oid, ok := l.next_()
		if !ok {
			l.close()
			return dirent{}, false, *l.err
		}
		if !l.checked {
			switch _, err := l.s.obj(ctx, oid); {
			case err == errNotFound:
				continue
			case err != nil:
				return dirent{}, false, err
			}
		}
		return dirent{oid.String(), typeDir}, true, nil
	}
}

// start starts pulling oids from the storage. The pulling outlives the
// request that asked for the first entries: it has a context of its own,
// canceled by close.
func (l *oidLister) start(reqCtx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
	l.cancel = cancel
	stor := l.s.fsys.stor
	var err error
	l.err = &err
	var seq iter.Seq[zodb.Oid]
	if ol, ok := stor.(OidLister); ok {
		head := stor.Head()
		first := true
		seq = func(yield func(zodb.Oid) bool) {
			err = ol.ListOids(ctx, func(oid zodb.Oid) bool {
				if first {
					// The oids listed are those up to head: with no
					// commit read in between, exactly the snapshot's.
					l.checked = head == l.s.at && stor.Head() == head
					first = false
				}
				return yield(oid)
			})
		}
	} else {
		seq = func(yield func(zodb.Oid) bool) {
			var oids []zodb.Oid
			oids, err = oidsUpTo(ctx, stor, l.s.at)
			l.checked = true
			for _, oid := range oids {
				if !yield(oid) {
					return
				}
			}
		}
	}
	l.next_, l.stop = iter.Pull(seq)
}

func (l *oidLister) close() {
	if l.stop != nil {
		l.cancel()
		l.stop()
	}
}

// oidsUpTo returns, sorted, the oids of the records written up to at, by
// reading the transactions: for storages that cannot list their objects.
func oidsUpTo(ctx context.Context, stor zodb.Storage, at zodb.Tid) ([]zodb.Oid, error) {
	seen := map[zodb.Oid]struct{}{}
	it := iterate(ctx, stor, 0, at)
	for {
		_, dit, err := it.NextTxn(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for {
			d, err := dit.NextData(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			seen[d.Oid] = struct{}{}
		}
	}
	oids := make([]zodb.Oid, 0, len(seen))
	for oid := range seen {
		oids = append(oids, oid)
	}
	slices.Sort(oids)
	return oids, nil
}
