package objgraph

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/zodbneo/zodbneo/zodb"
)

// Graph is the object graph of one database state: the objects a Loader
// gives at tid At. A state never changes, so what Graph decodes it keeps
// in a small cache shared by all callers. A Graph may be used from several
// goroutines at once.
type Graph struct {
	l  zodb.Loader
	at zodb.Tid

	cache struct {
		sync.Mutex
		lru  *list.List                 // of *Object, most recently used first
		byID map[zodb.Oid]*list.Element // guarded by the mutex too
	}
}

// cacheSize is how many decoded objects a Graph keeps: enough for the
// inner nodes of the BTrees being browsed, which every lookup in them goes
// through, and for the objects of the directories open at one time.
const cacheSize = 1024

// New returns the graph of the database state at tid at, read through l.
func New(l zodb.Loader, at zodb.Tid) *Graph {
	g := &Graph{l: l, at: at}
	g.cache.lru = list.New()
	g.cache.byID = make(map[zodb.Oid]*list.Element)
	return g
}

// At returns the tid of the state the graph shows.
func (g *Graph) At() zodb.Tid { return g.at }

// Root returns the root object, oid 0.
func (g *Graph) Root(ctx context.Context) (*Object, error) { return g.Object(ctx, 0) }

// Object returns one object as the graph's state has it.
//
// An object whose record cannot be decoded is still returned, with its
// raw Data and Serial, and with Err saying why; listing it or asking its
// state gives that error.
//
// Errors: an *Error wrapping ErrMissing (and the storage's
// *zodb.NoObjectError or *zodb.NoDataError) when the object has no data
// at the state — a dangling reference, a deleted object; an *Error
// wrapping the storage's error when the load failed otherwise.
func (g *Graph) Object(ctx context.Context, oid zodb.Oid) (*Object, error) {
	if o := g.cached(oid); o != nil {
		return o, nil
	}
	o, err := g.load(ctx, oid)
	if err != nil {
		return nil, err
	}
	g.keep(o)
	return o, nil
}

// load loads and decodes an object, bypassing the cache: for the buckets
// of a BTree being listed, each read once, which would push out of the
// cache what lookups need again.
func (g *Graph) load(ctx context.Context, oid zodb.Oid) (*Object, error) {
	data, serial, err := g.l.Load(ctx, zodb.Xid{At: g.at, Oid: oid})
	if err != nil {
		if zodb.IsNoData(err) {
			err = missing(err)
		}
		return nil, &Error{Oid: oid, At: g.at, Err: err}
	}
	return newObject(g, oid, serial, data), nil
}

func (g *Graph) cached(oid zodb.Oid) *Object {
	g.cache.Lock()
	defer g.cache.Unlock()
	if el, ok := g.cache.byID[oid]; ok {
		g.cache.lru.MoveToFront(el)
		return el.Value.(*Object)
	}
	return nil
}

func (g *Graph) keep(o *Object) {
	g.cache.Lock()
	defer g.cache.Unlock()
	if _, ok := g.cache.byID[o.Oid]; ok {
		return // loaded by another goroutine meanwhile: either will do
	}
	g.cache.byID[o.Oid] = g.cache.lru.PushFront(o)
	for g.cache.lru.Len() > cacheSize {
		old := g.cache.lru.Remove(g.cache.lru.Back()).(*Object)
		delete(g.cache.byID, old.Oid)
	}
}

// Open returns the directory an entry stands for: the object of a
// reference, the container of a nested value. A leaf is no directory.
func (g *Graph) Open(ctx context.Context, e Entry) (Dir, error) {
	switch e.Kind {
	case EntryRef:
		return g.Object(ctx, e.Ref.Oid)
	case EntryDir:
		return e.Dir, nil
	}
	return nil, fmt.Errorf("objgraph: %q: %w", e.Name, ErrNotDir)
}

// Walk follows a path of names from the root object and returns the entry
// it ends at; no names give the root's entry, a reference to oid 0.
func (g *Graph) Walk(ctx context.Context, names ...string) (Entry, error) {
	e := Entry{Kind: EntryRef}
	for _, name := range names {
		d, err := g.Open(ctx, e)
		if err != nil {
			return Entry{}, err
		}
		if e, err = d.Lookup(ctx, name); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}
