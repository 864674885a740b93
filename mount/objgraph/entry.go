package objgraph

import (
	"context"
	"math/big"
	"strconv"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/internal/pyquote"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// EntryKind says what an entry of a directory is.
type EntryKind int

const (
	// EntryLeaf is a scalar: a file whose content is Entry.Leaf.
	EntryLeaf EntryKind = iota
	// EntryRef is a persistent reference to another object of the same
	// database, Entry.Ref: a directory of that object, or a symlink to
	// it. The object may be missing (Graph.Object says ErrMissing).
	EntryRef
	// EntryDir is a container nested in a state — a dict, list, tuple,
	// set, or an instance that is not persistent — shown as a
	// subdirectory, Entry.Dir.
	EntryDir
)

func (k EntryKind) String() string {
	switch k {
	case EntryLeaf:
		return "leaf"
	case EntryRef:
		return "ref"
	case EntryDir:
		return "dir"
	}
	return "EntryKind(" + strconv.Itoa(int(k)) + ")"
}

// Entry is one child of a directory: an item of a mapping, list or BTree,
// or an attribute of an instance.
type Entry struct {
	Name string    // a valid file name, unique in its directory (see doc.go)
	Key  any       // the key, attribute name or index (an int64), as decoded
	Kind EntryKind // which of Ref, Leaf and Dir holds the entry's value

	Ref  zpickle.Ref // EntryRef: the object referred to
	Leaf []byte      // EntryLeaf: the value's text and "\n"
	Dir  *Value      // EntryDir: the nested container
}

// Dir is a directory of the view: an *Object, or a *Value nested in a
// state.
type Dir interface {
	// Entries lists the directory in its order: a BTree's key order, a
	// list's index order, sorted keys for a dict (see doc.go). A BTree is
	// read one bucket at a time, as the iteration goes.
	Entries(ctx context.Context) *Iter
	// Lookup returns the entry of one name, as Entries lists it, or an
	// error wrapping ErrNotFound. In a BTree it goes down the tree to
	// the key the name stands for, without listing the tree.
	Lookup(ctx context.Context, name string) (Entry, error)
}

var (
	_ Dir = (*Object)(nil)
	_ Dir = (*Value)(nil)
)

// Iter goes over the entries of a directory:
//
//	it := dir.Entries(ctx)
//	for it.Next() {
//		e := it.Entry()
//	}
//	if err := it.Err(); err != nil { ... }
//
// An Iter is used by one goroutine at a time. It holds the context it was
// made with for the loads it does.
type Iter struct {
	ctx  context.Context
	next func(ctx context.Context) (Entry, bool, error) // the next entry, false at the end
	cur  Entry
	err  error
}

// Next moves to the next entry; it returns false at the end or on an error.
func (it *Iter) Next() bool {
	if it.err != nil || it.next == nil {
		return false
	}
	if err := it.ctx.Err(); err != nil {
		it.err = err
		return false
	}
	e, ok, err := it.next(it.ctx)
	if err != nil {
		it.err = err
	}
	if !ok || err != nil {
		it.next = nil
		return false
	}
	it.cur = e
	return true
}

// Entry returns the entry Next moved to.
func (it *Iter) Entry() Entry { return it.cur }

// Err returns the error that stopped the iteration, nil at its end.
func (it *Iter) Err() error { return it.err }

func errIter(err error) *Iter { return &Iter{ctx: context.Background(), err: err} }

func sliceIter(ctx context.Context, entries []Entry) *Iter {
	i := 0
	return &Iter{ctx: ctx, next: func(context.Context) (Entry, bool, error) {
		if i >= len(entries) {
			return Entry{}, false, nil
		}
		i++
		return entries[i-1], true, nil
	}}
}

// makeEntry is the entry of one value under name.
func makeEntry(name string, key, v any, owner zodb.Oid, at zodb.Tid, bud *budget) Entry {
	e := Entry{Name: name, Key: key}
	if r, ok := v.(zpickle.Ref); ok && r.Database == "" {
		e.Kind, e.Ref = EntryRef, r
		return e
	}
	if isContainer(v) {
		e.Kind, e.Dir = EntryDir, &Value{v: v, owner: owner, at: at}
		return e
	}
	e.Kind, e.Leaf = EntryLeaf, leafText(v, bud)
	return e
}

// leafText is the content of a scalar's file: text and bytes as they are,
// numbers, None and bools as Python prints them, anything else (a class,
// a call such as datetime(...), a reference into another database) as its
// repr, cut after leafReprMax bytes; then "\n".
func leafText(v any, bud *budget) []byte {
	var b []byte
	switch x := v.(type) {
	case string:
		b = append(b, x...)
	case ogórek.ByteString:
		b = append(b, x...)
	case ogórek.Bytes:
		b = append(b, x...)
	case []byte:
		b = append(b, x...)
	case int64:
		b = strconv.AppendInt(b, x, 10)
	case *big.Int:
		b = x.Append(b, 10)
	case float64:
		b = pyquote.AppendFloatRepr(b, x, true)
	default:
		if rendered(v) {
			b = append(b, oneLine(v, leafReprMax, bud)...)
		} else {
			b = append(b, zpickle.Repr(v)...)
		}
	}
	return append(b, '\n')
}
