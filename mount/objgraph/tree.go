package objgraph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/btree"
)

// Reading a BTree: its items by walking the chain of buckets from the
// first one, a bucket at a time; one key by going down from the root.

// maxTreeDepth bounds the levels a descent goes down: a BTree of 2^64
// items is a few levels deep, a corrupt one can refer to itself.
const maxTreeDepth = 64

// errUnknownOrder says that a descent met keys compareKeys cannot order.
var errUnknownOrder = errors.New("keys of no known order")

// treeIter lists a tree's items, loading one bucket at a time.
func (o *Object) treeIter(ctx context.Context) *Iter {
	t := o.tree
	if t.Bucket != nil || len(t.Children) == 0 {
		return sliceIter(ctx, o.inlineDir().entries)
	}
	w := &chainWalker{tree: o, next: t.FirstBucket.Oid, more: true, power: 1}
	return &Iter{ctx: ctx, next: w.entry}
}

// inlineDir is the directory of a tree that keeps its one bucket inline,
// or of an empty tree.
func (o *Object) inlineDir() *memDir {
	o.dirOnce.Do(func() {
		b := o.tree.Bucket
		if b == nil {
			b = &btree.Bucket{}
		}
		items := make([]kv, len(b.Keys))
		for i, k := range b.Keys {
			items[i] = kv{k, bucketValue(b, i)}
		}
		bud := newBudget()
		o.dir = newMemDirNamed(items, nameKeys(b.Keys, bud), o.Oid, o.g.at, bud)
	})
	return o.dir
}

// chainWalker goes along the bucket chain of a tree.
type chainWalker struct {
	tree   *Object
	next   zodb.Oid // the bucket to load when this one is done
	more   bool     // whether there is a next bucket
	bucket *btree.Bucket
	where  zodb.Oid // the bucket's oid
	i      int      // the next item of the bucket
	seen   int      // buckets loaded

	last    any // the last key listed, to check that keys grow
	hasLast bool

	// Brent's cycle detection over the chain's oids, in constant space:
	// a chain that comes back to a bucket is an error, not a loop.
	saved      zodb.Oid
	power, lam int

	// Keys that are not text and share one natural name follow each
	// other in a tree (they compare equal, or nearly; text keys between
	// them do not count); run counts them.
	prevBase string
	run      int

	bud *budget // for the text of the bucket's leaves
}

// entry is the Iter's next function.
func (w *chainWalker) entry(ctx context.Context) (Entry, bool, error) {
	for w.bucket == nil || w.i >= len(w.bucket.Keys) {
		if !w.more {
			return Entry{}, false, nil
		}
		if err := w.advance(ctx); err != nil {
			return Entry{}, false, err
		}
	}
	b, i := w.bucket, w.i
	w.i++
	k := b.Keys[i]
	if err := w.checkOrder(k); err != nil {
		return Entry{}, false, err
	}
	name, err := w.name(ctx, k)
	if err != nil {
		return Entry{}, false, err
	}
	return makeEntry(name, k, bucketValue(b, i), w.where, w.tree.g.at, w.bud), true, nil
}

// budgetAt returns, for each item of a bucket, what is left of the
// bucket's budget for leaves when a listing comes to it; a lookup starts
// there. (A name's text is bounded on its own, and depends on nothing
// else.) Nil means the whole budget for every item: a bucket of scalars
// and references spends none.
func (o *Object) budgetAt() []int {
	o.budOnce.Do(func() {
		b, bud := o.bucket, newBudget()
		values := b.Values
		if values == nil {
			values = b.Keys // a set's items show themselves
		}
		if !slices.ContainsFunc(values, rendered) {
			return
		}
		o.budAt = make([]int, len(b.Keys))
		for i, k := range b.Keys {
			o.budAt[i] = bud.left
			makeEntry("", k, bucketValue(b, i), o.Oid, o.g.at, bud)
		}
	})
	return o.budAt
}

// advance loads the next bucket of the chain. The first one may be named
// by a tree whose state leaves out its first bucket: its leftmost bucket
// is then found going down the first children.
func (w *chainWalker) advance(ctx context.Context) error {
	o := w.tree
	for depth := 0; ; depth++ {
		oid := w.next
		if err := w.visit(oid); err != nil {
			return err
		}
		b, err := o.g.load(ctx, oid)
		if err != nil {
			return o.chainError(oid, err)
		}
		if b.Err != nil {
			return o.chainError(oid, b.Err)
		}
		switch {
		case b.bucket != nil && (b.Kind == KindSet) == (o.Kind == KindTreeSet):
			w.bucket, w.where, w.i, w.bud = b.bucket, oid, 0, newBudget()
			w.more = b.bucket.Next != nil
			if w.more {
				w.next = b.bucket.Next.Oid
			}
			return nil
		case w.bucket == nil && depth < maxTreeDepth && b.tree != nil && len(b.tree.Children) > 0:
			w.next = b.tree.Children[0].Oid
		default:
			return o.chainError(oid, fmt.Errorf("a %s (%s) in the chain of buckets", b.Kind, b.Class))
		}
	}
}

// visit notes that the walk reaches oid and fails if it came there before.
func (w *chainWalker) visit(oid zodb.Oid) error {
	w.seen++
	if w.seen > 1 && oid == w.saved {
		return w.tree.chainError(oid, errors.New("the chain of buckets is a cycle"))
	}
	w.lam++
	if w.seen == 1 || w.lam == w.power {
		w.saved, w.power, w.lam = oid, w.power*2, 0
	}
	return nil
}

// checkOrder fails when a key is not greater than the one before it, as
// in a damaged bucket or a chain that goes back: the names of a listing
// would repeat.
func (w *chainWalker) checkOrder(k any) error {
	if w.hasLast {
		if c, ok := compareKeys(w.last, k); ok && c >= 0 {
			return w.tree.chainError(w.where, fmt.Errorf("key %s after %s", naturalName(k, nil), naturalName(w.last, nil)))
		}
	}
	w.last, w.hasLast = k, true
	return nil
}

// name names one key of the stream, as nameKeys names the keys of a
// container in memory: a text key keeps its name; another key is
// displaced by the text key of its name, if the tree has one, and by the
// keys of its name just before it.
func (w *chainWalker) name(ctx context.Context, k any) (string, error) {
	if isStrKey(k) {
		return escape(naturalName(k, nil)), nil
	}
	natural := naturalName(k, nil)
	base := escape(natural)
	if base == w.prevBase {
		w.run++
	} else {
		w.prevBase, w.run = base, 0
	}
	n := w.run
	if w.tree.keys == keysObject {
		f, err := w.tree.find(ctx, natural)
		if err != nil && !errors.Is(err, errUnknownOrder) {
			return "", err
		}
		if f != nil {
			n++
		}
	}
	return withDup(base, n), nil
}

// chainError is the error of a tree whose bucket oid could not be read.
// It wraps ErrBroken, and the bucket's own error (which may wrap
// ErrMissing): a caller tests ErrBroken first.
func (o *Object) chainError(oid zodb.Oid, err error) error {
	return &Error{Oid: o.Oid, At: o.g.at, Err: broken(fmt.Errorf("bucket %s: %w", oid, err))}
}

// found is where find found a key: item i of bucket b, of oid where,
// held by obj (a bucket object, or a tree with an inline bucket).
type found struct {
	b     *btree.Bucket
	i     int
	where zodb.Oid
	obj   *Object
}

// find goes down the tree to key and returns where the tree has it, nil
// if it has not. An error wraps errUnknownOrder when the tree's keys and
// key cannot be compared; then only a scan can tell.
func (o *Object) find(ctx context.Context, key any) (*found, error) {
	cur := o
	for depth := 0; ; depth++ {
		if depth > maxTreeDepth {
			return nil, o.chainError(cur.Oid, errors.New("tree deeper than any BTree"))
		}
		b := cur.bucket
		if t := cur.tree; b == nil && t != nil {
			b = t.Bucket
			if b == nil && len(t.Children) == 0 {
				return nil, nil
			}
		}
		if b != nil {
			i, ok, err := searchBucket(b, key)
			if !ok || err != nil {
				return nil, err
			}
			return &found{b, i, cur.Oid, cur}, nil
		}
		t := cur.tree
		if t == nil {
			return nil, o.chainError(cur.Oid, fmt.Errorf("a %s (%s) in the tree", cur.Kind, cur.Class))
		}
		i, err := childIndex(t.Keys, key)
		if err != nil {
			return nil, err
		}
		child := t.Children[i].Oid
		next, err := o.g.Object(ctx, child)
		if err == nil && next.Err != nil {
			err = next.Err
		}
		if err != nil {
			return nil, o.chainError(child, err)
		}
		cur = next
	}
}

// childIndex returns the child of a tree node whose keys range holds key:
// child i holds keys[i-1] <= key < keys[i].
func childIndex(keys []any, key any) (int, error) {
	var err error
	i := sort.Search(len(keys), func(j int) bool {
		c, ok := compareKeys(keys[j], key)
		if !ok {
			err = errUnknownOrder
		}
		return c > 0
	})
	return i, err
}

// searchBucket looks key up in a bucket and returns its index.
func searchBucket(b *btree.Bucket, key any) (i int, found bool, err error) {
	i = sort.Search(len(b.Keys), func(j int) bool {
		c, ok := compareKeys(b.Keys[j], key)
		if !ok {
			err = errUnknownOrder
		}
		return c >= 0
	})
	if err != nil || i >= len(b.Keys) {
		return 0, false, err
	}
	c, _ := compareKeys(b.Keys[i], key)
	return i, c == 0, nil
}
