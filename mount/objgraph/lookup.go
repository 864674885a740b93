package objgraph

import (
	"context"
	"errors"
	"strings"
)

// treeLookup finds the entry called name in a tree without listing it,
// when the name says which key to look for: the text of a text key, or
// the natural name of an int, float, None, bool or bytes key. Other names
// — a displaced key's, a shortened one's, a tuple's — and trees whose
// keys cannot be compared with the key the name gives are looked for
// among all the tree's entries.
func (o *Object) treeLookup(ctx context.Context, name string) (Entry, error) {
	if o.tree.Bucket != nil || len(o.tree.Children) == 0 {
		if e, ok := o.inlineDir().lookup(name); ok {
			return e, nil
		}
		return Entry{}, o.notFound(name)
	}
	base, n, ok := splitDup(name)
	if !ok {
		return Entry{}, o.notFound(name)
	}
	if n > 0 || strings.Contains(base, hashMark) {
		if o.keys == keysObject {
			return o.scanLookup(ctx, name)
		}
		return Entry{}, o.notFound(name)
	}
	natural, ok := unescape(base)
	if !ok {
		return Entry{}, o.notFound(name)
	}
	if o.keys == keysInt {
		key, ok := parseInt(natural)
		if !ok {
			return Entry{}, o.notFound(name)
		}
		return o.lookupKey(ctx, name, key)
	}
	// A text key keeps its name; another key has it only if there is no
	// text key of that name.
	e, err := o.lookupKey(ctx, name, natural)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return e, err
	}
	if key, ok := parseLiteral(natural); ok {
		e, err = o.lookupKey(ctx, name, key)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return e, err
		}
	}
	if scanWorthy(natural) {
		return o.scanLookup(ctx, name)
	}
	return Entry{}, o.notFound(name)
}

// lookupKey finds key in the tree and returns its entry if the entry is
// called name: another key equal to it (1 for 1.0) has another name.
// Keys of no known order fall back to a scan.
func (o *Object) lookupKey(ctx context.Context, name string, key any) (Entry, error) {
	f, err := o.find(ctx, key)
	if errors.Is(err, errUnknownOrder) {
		return o.scanLookup(ctx, name)
	}
	if err != nil {
		return Entry{}, err
	}
	if f == nil {
		return Entry{}, o.notFound(name)
	}
	k, v := f.b.Keys[f.i], bucketValue(f.b, f.i)
	if escape(naturalName(k, nil)) != name {
		return Entry{}, o.notFound(name)
	}
	// The listing spent some of the bucket's budget on the items before
	// this one: so does the lookup, to give the same text.
	bud := newBudget()
	if at := f.obj.budgetAt(); at != nil {
		bud.left = at[f.i]
	}
	return makeEntry(name, k, v, f.where, o.g.at, bud), nil
}

// scanLookup looks for name among all the tree's entries.
func (o *Object) scanLookup(ctx context.Context, name string) (Entry, error) {
	it := o.treeIter(ctx)
	for it.Next() {
		if e := it.Entry(); e.Name == name {
			return e, nil
		}
	}
	if err := it.Err(); err != nil {
		return Entry{}, err
	}
	return Entry{}, o.notFound(name)
}

func (o *Object) notFound(name string) error { return notFound(o.Oid, o.g.at, name) }
