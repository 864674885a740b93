package mount

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/zodbneo/zodbneo/mount/objgraph"
	"github.com/zodbneo/zodbneo/zodb"
)

// root/ is the object graph from the root object, as package objgraph
// shows it: a persistent object is a directory of its items or attributes,
// a container nested in a state a subdirectory, any other value a file
// of its text.
//
// A persistent reference is the directory of the object it refers to,
// except where that object is already a directory on the path from root/
// down to the entry: then the entry is a symbolic link up to that
// directory ("..", "../..", "." for the object itself), so that a graph
// with cycles is a finite tree that find, grep -r and diff -r walk to its
// end. A reference to an object missing at the state — deleted, or never
// there (a dangling reference) — is an empty directory: oid/<oid> says
// what happened to it.
//
// A file's mtime is the time of the revision of the object whose state
// holds it; a directory's, of the object it shows.

// graphKey names a state's objgraph.Graph in the cache.
type graphKey zodb.Tid

// graphCost is what a Graph is counted for in the cache: it keeps up to
// a thousand decoded objects.
const graphCost = 4 << 20

// graph returns the object graph of the snapshot's state.
func (s *snapshot) graph() *objgraph.Graph {
	if v, ok := s.fsys.cache.get(graphKey(s.at)); ok {
		return v.(*objgraph.Graph)
	}
	g := objgraph.New(s.fsys.stor, s.at)
	s.fsys.cache.put(graphKey(s.at), g, graphCost)
	return g
}

// root returns root/: the root object's directory, or errNotFound when
// the state has no root object (an empty database).
func (s *snapshot) root(ctx context.Context) (vnode, error) {
	o, err := s.graph().Root(ctx)
	if err != nil {
		return nil, graphErr(err)
	}
	return &graphDirV{s: s, dir: o, time: o.Serial.Time(), chain: []chainLink{{0, 0}}}, nil
}

// stateText is oid/<oid>/state: objgraph's text of the state.
func (s *snapshot) stateText(ctx context.Context, rev *objRev) ([]byte, error) {
	o, err := s.graph().Object(ctx, rev.oid)
	if err != nil {
		return nil, graphErr(err)
	}
	return o.StateText()
}

// graphErr maps objgraph's errors to the model's: a name or an object not
// there is errNotFound; a record that does not decode stays an error
// (EIO), though it may also say that an object is missing.
func graphErr(err error) error {
	switch {
	case errors.Is(err, objgraph.ErrBroken):
		return err
	case errors.Is(err, objgraph.ErrNotFound), errors.Is(err, objgraph.ErrMissing):
		return errNotFound
	}
	return err
}

// chainLink is an object shown as a directory on the path from root/: its
// oid and the depth of its directory below root/.
type chainLink struct {
	oid   zodb.Oid
	depth int
}

// graphDirV is a directory of root/: an object, a container nested in a
// state, or (dir nil) an object missing at the state.
type graphDirV struct {
	s     *snapshot
	dir   objgraph.Dir // nil: a missing object, shown empty
	time  time.Time
	chain []chainLink // the objects on the path, root first
	depth int         // of this directory below root/
}

var _ vdir = (*graphDirV)(nil)

func (d *graphDirV) typ() uint32 { return typeDir }

func (d *graphDirV) mtime(context.Context) (time.Time, error) { return d.time, nil }

// ancestor returns the depth of oid's directory on the path, if it is on it.
func (d *graphDirV) ancestor(oid zodb.Oid) (int, bool) {
	i := slices.IndexFunc(d.chain, func(c chainLink) bool { return c.oid == oid })
	if i < 0 {
		return 0, false
	}
	return d.chain[i].depth, true
}

// entryType returns the type of the node an entry is.
func (d *graphDirV) entryType(e *objgraph.Entry) uint32 {
	switch e.Kind {
	case objgraph.EntryLeaf:
		return typeFile
	case objgraph.EntryRef:
		if _, ok := d.ancestor(e.Ref.Oid); ok {
			return typeLink
		}
	}
	return typeDir
}

func (d *graphDirV) lookup(ctx context.Context, name string) (vnode, error) {
	if d.dir == nil {
		return nil, errNotFound
	}
	e, err := d.dir.Lookup(ctx, name)
	if err != nil {
		return nil, graphErr(err)
	}
	return d.entry(ctx, &e)
}

// entry returns the node of an entry of the directory.
func (d *graphDirV) entry(ctx context.Context, e *objgraph.Entry) (vnode, error) {
	switch e.Kind {
	case objgraph.EntryLeaf:
		return bytesV(d.time, e.Leaf), nil
	case objgraph.EntryDir:
		return &graphDirV{s: d.s, dir: e.Dir, time: d.time, chain: d.chain, depth: d.depth + 1}, nil
	}
	if depth, ok := d.ancestor(e.Ref.Oid); ok {
		return &linkV{to: upTo(d.depth - depth), time: d.time}, nil
	}
	child := &graphDirV{s: d.s, time: d.s.at.Time(), depth: d.depth + 1,
		chain: append(slices.Clip(d.chain), chainLink{e.Ref.Oid, d.depth + 1})}
	o, err := d.s.graph().Object(ctx, e.Ref.Oid)
	switch {
	case err == nil:
		child.dir, child.time = o, o.Serial.Time()
	case errors.Is(err, objgraph.ErrMissing) && !errors.Is(err, objgraph.ErrBroken):
		// shown empty
	default:
		return nil, err
	}
	return child, nil
}

// upTo returns the relative path n directories up.
func upTo(n int) string {
	if n == 0 {
		return "."
	}
	return strings.TrimSuffix(strings.Repeat("../", n), "/")
}

func (d *graphDirV) list(ctx context.Context) (lister, error) {
	if d.dir == nil {
		return listOf(), nil
	}
	return &graphLister{d: d}, nil
}

// graphLister streams a directory's entries as objgraph reads them: a
// BTree one bucket at a time.
type graphLister struct {
	d      *graphDirV
	it     *objgraph.Iter
	cancel context.CancelFunc
}

func (l *graphLister) next(reqCtx context.Context) (dirent, bool, error) {
	if l.it == nil {
		// The iteration outlives the request that started it.
		ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
		l.it, l.cancel = l.d.dir.Entries(ctx), cancel
	}
	if !l.it.Next() {
		return dirent{}, false, l.it.Err()
	}
	e := l.it.Entry()
	return dirent{e.Name, l.d.entryType(&e)}, true, nil
}

func (l *graphLister) close() {
	if l.cancel != nil {
		l.cancel()
	}
}
