package btree

import (
	"fmt"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// Bucket is the decoded state of a bucket or set: a leaf of a tree.
type Bucket struct {
	Keys   []any        // in ascending order
	Values []any        // Values[i] goes with Keys[i]; nil for a set
	Next   *zpickle.Ref // the next bucket of the tree, nil for the last
}

// Tree is the decoded state of a tree or tree set. An empty tree has no
// bucket and no children. A tree of one bucket may keep it inline (Bucket);
// otherwise the tree has Children, each a bucket or a tree one level down.
type Tree struct {
	Bucket *Bucket // the inline bucket, or nil

	// Children[i] holds the keys k with Keys[i-1] <= k < Keys[i]: there is
	// one key less than children.
	Children []zpickle.Ref
	Keys     []any

	// FirstBucket is where the chain of buckets starts. When the state
	// leaves it out, it is the first child, as BTrees takes it.
	FirstBucket *zpickle.Ref
}

// DecodeBucket decodes the state of a mapping bucket (OOBucket, IOBucket...).
func DecodeBucket(state any) (*Bucket, error) {
	return decodeBucket(state, false)
}

// DecodeSet decodes the state of a set bucket (OOSet, IOSet...): its Values
// are nil.
func DecodeSet(state any) (*Bucket, error) {
	return decodeBucket(state, true)
}

// DecodeTree decodes the state of a mapping tree (OOBTree, IOBTree...).
func DecodeTree(state any) (*Tree, error) {
	return decodeTree(state, false)
}

// DecodeTreeSet decodes the state of a set tree (OOTreeSet...), whose inline
// bucket is a set.
func DecodeTreeSet(state any) (*Tree, error) {
	return decodeTree(state, true)
}

func corrupt(what string, err error) error {
	return fmt.Errorf("btree: %s: %w: %w", what, zodb.ErrCorrupt, err)
}

// decodeBucket reads ((items...),) or ((items...), next).
func decodeBucket(state any, set bool) (*Bucket, error) {
	what := "bucket state"
	if set {
		what = "set state"
	}
	t, ok := state.(ogórek.Tuple)
	if !ok || len(t) < 1 || len(t) > 2 {
		return nil, corrupt(what, fmt.Errorf("want a tuple of 1 or 2 items, got %s", describe(state)))
	}
	items, ok := t[0].(ogórek.Tuple)
	if !ok {
		return nil, corrupt(what, fmt.Errorf("items are %s, not a tuple", describe(t[0])))
	}
	b := &Bucket{}
	if set {
		b.Keys = items
	} else {
		if len(items)%2 != 0 {
			return nil, corrupt(what, fmt.Errorf("odd number of keys and values (%d)", len(items)))
		}
		n := len(items) / 2
		b.Keys = make([]any, n)
		b.Values = make([]any, n)
		for i := 0; i < n; i++ {
			b.Keys[i], b.Values[i] = items[2*i], items[2*i+1]
		}
	}
	if len(t) == 2 {
		next, err := refOf(t[1])
		if err != nil {
			return nil, corrupt(what, fmt.Errorf("next bucket: %w", err))
		}
		b.Next = next
	}
	return b, nil
}

// decodeTree reads None, ((bucket_state,),), or (items, firstbucket).
func decodeTree(state any, set bool) (*Tree, error) {
	what := "tree state"
	if set {
		what = "tree set state"
	}
	if _, ok := state.(ogórek.None); ok || state == nil {
		return &Tree{}, nil
	}
	t, ok := state.(ogórek.Tuple)
	if !ok || len(t) < 1 || len(t) > 2 {
		return nil, corrupt(what, fmt.Errorf("want None or a tuple of 1 or 2 items, got %s", describe(state)))
	}
	items, ok := t[0].(ogórek.Tuple)
	if !ok || len(items)%2 != 1 {
		return nil, corrupt(what, fmt.Errorf("want children and keys in a tuple of odd length, got %s", describe(t[0])))
	}
	if len(items) == 1 && len(t) == 1 {
		if inline, ok := items[0].(ogórek.Tuple); ok {
			b, err := decodeBucket(inline, set)
			if err != nil {
				return nil, corrupt(what, fmt.Errorf("inline bucket: %w", err))
			}
			return &Tree{Bucket: b}, nil
		}
	}
	tr := &Tree{
		Children: make([]zpickle.Ref, 0, len(items)/2+1),
		Keys:     make([]any, 0, len(items)/2),
	}
	for i, x := range items {
		if i%2 == 1 {
			tr.Keys = append(tr.Keys, x)
			continue
		}
		r, err := refOf(x)
		if err != nil {
			return nil, corrupt(what, fmt.Errorf("child %d: %w", i/2, err))
		}
		tr.Children = append(tr.Children, *r)
	}
	if len(t) == 2 {
		first, err := refOf(t[1])
		if err != nil {
			return nil, corrupt(what, fmt.Errorf("first bucket: %w", err))
		}
		tr.FirstBucket = first
	} else {
		first := tr.Children[0]
		tr.FirstBucket = &first
	}
	return tr, nil
}

// refOf accepts a reference to another persistent object, as
// zpickle.Decode returns them.
func refOf(v any) (*zpickle.Ref, error) {
	r, ok := v.(zpickle.Ref)
	if !ok {
		return nil, fmt.Errorf("want a persistent reference, got %s", describe(v))
	}
	return &r, nil
}

// describe names a value in an error, briefly: a state can be large.
func describe(v any) string {
	switch x := v.(type) {
	case ogórek.Tuple:
		return fmt.Sprintf("a tuple of %d items", len(x))
	case ogórek.None:
		return "None"
	}
	return fmt.Sprintf("%T", v)
}
