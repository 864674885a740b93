package mount

import (
	"context"
	"sync/atomic"

	"github.com/zodbneo/zodbneo/zodb"
)

// source gives a FUSE node the vnode it shows. Under @<tid>/ and txn/ a
// node shows one vnode for good (fixedSrc); under head/ it shows whatever
// is at its path in the head's current state (headSrc).
type source interface {
	// get returns the vnode shown now.
	get(ctx context.Context) (vnode, error)
	// child returns the source of entry name of this directory, which get
	// just returned as v.
	child(name string, v vnode) source
	// live says whether what get returns may change: then the kernel is
	// told not to cache it.
	live() bool
}

// fixedSrc shows one vnode.
type fixedSrc struct{ v vnode }

func (s fixedSrc) get(context.Context) (vnode, error) { return s.v, nil }
func (s fixedSrc) child(_ string, v vnode) source     { return fixedSrc{v} }
func (s fixedSrc) live() bool                         { return false }

// headSrc shows the vnode at a path of the head's state: head/ itself
// when parent is nil. It remembers what it resolved at the last head, so
// that a path is walked once per state it is used at.
type headSrc struct {
	fsys   *FS
	parent *headSrc
	name   string
	memo   atomic.Pointer[headMemo]
}

type headMemo struct {
	at  zodb.Tid
	v   vnode
	err error
}

func newHeadSrc(f *FS) *headSrc { return &headSrc{fsys: f} }

func (s *headSrc) get(ctx context.Context) (vnode, error) {
	return s.getAt(ctx, s.fsys.head.current(ctx))
}

// getAt resolves the path in the state at, walking up to head/ as far as
// the state changed since the last resolution.
func (s *headSrc) getAt(ctx context.Context, at zodb.Tid) (vnode, error) {
	if m := s.memo.Load(); m != nil && m.at == at {
		return m.v, m.err
	}
	var v vnode
	var err error
	if s.parent == nil {
		v = s.fsys.snap(at)
	} else {
		v, err = s.resolve(ctx, at)
	}
	if err == nil || err == errNotFound {
		s.memo.Store(&headMemo{at: at, v: v, err: err})
	}
	return v, err
}

func (s *headSrc) resolve(ctx context.Context, at zodb.Tid) (vnode, error) {
	pv, err := s.parent.getAt(ctx, at)
	if err != nil {
		return nil, err
	}
	pd, ok := pv.(vdir)
	if !ok {
		return nil, errNotFound
	}
	return pd.lookup(ctx, s.name)
}

func (s *headSrc) child(name string, _ vnode) source {
	return &headSrc{fsys: s.fsys, parent: s, name: name}
}

func (s *headSrc) live() bool { return true }
