package objgraph

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// Value is a container nested in an object's state — a dict, a list, a
// tuple, a set or frozenset, an instance of a class that is not persistent
// — shown as a directory. Its entries are built on first use and kept; a
// Value may be used from several goroutines at once.
type Value struct {
	v     any
	owner zodb.Oid // the object whose state holds the value, for errors
	at    zodb.Tid

	once sync.Once
	dir  *memDir
}

// Raw returns the value as zpickle.Decode returned it. It is shared: the
// caller must not change it.
func (v *Value) Raw() any { return v.v }

// Text returns the value's readable text, as Object.StateText writes a
// state.
func (v *Value) Text() []byte { return stateText(v.v, hintNone) }

// Entries lists the container: a list's or tuple's items named "0", "1",
// ...; a dict's or set's items in sorted order; an instance's attributes.
func (v *Value) Entries(ctx context.Context) *Iter {
	return sliceIter(ctx, v.memDir().entries)
}

// Lookup returns the entry called name.
func (v *Value) Lookup(ctx context.Context, name string) (Entry, error) {
	if e, ok := v.memDir().lookup(name); ok {
		return e, nil
	}
	return Entry{}, notFound(v.owner, v.at, name)
}

func (v *Value) memDir() *memDir {
	v.once.Do(func() {
		items, ordered := containerItems(v.v)
		v.dir = newMemDir(items, ordered, v.owner, v.at)
	})
	return v.dir
}

func notFound(oid zodb.Oid, at zodb.Tid, name string) error {
	return &Error{Oid: oid, At: at, Err: fmt.Errorf("%q: %w", name, ErrNotFound)}
}

// isContainer reports whether a value of a state is shown as a directory.
func isContainer(v any) bool {
	switch x := v.(type) {
	case ogórek.Dict, map[any]any, []any, ogórek.Tuple:
		return true
	case ogórek.Call:
		_, ok := setItems(x)
		return ok
	case *zpickle.Object:
		return isAttrState(x.State)
	}
	return false
}

// isAttrState reports whether attrItems takes a state, without making its
// items: a value shared many times over must cost little each time.
func isAttrState(state any) bool {
	switch s := state.(type) {
	case ogórek.Dict:
		return true
	case ogórek.Tuple:
		if len(s) != 2 {
			return false
		}
		if _, ok := s[1].(ogórek.Dict); !ok {
			return false
		}
		switch s[0].(type) {
		case ogórek.Dict, ogórek.None:
			return true
		}
	}
	return false
}

// containerItems returns the items of a container, and whether they are
// already in their listing order (a sequence's); nil for a value that is
// not a container.
func containerItems(v any) (items []kv, ordered bool) {
	switch x := v.(type) {
	case ogórek.Dict:
		return dictItems(x), false
	case map[any]any:
		for k, val := range x {
			items = append(items, kv{k, val})
		}
		return items, false
	case []any:
		return seqItems(x), true
	case ogórek.Tuple:
		return seqItems(x), true
	case ogórek.Call:
		elems, _ := setItems(x)
		for _, e := range elems {
			items = append(items, kv{e, e})
		}
		return items, false
	case *zpickle.Object:
		items, _ = attrItems(x.State)
		return items, false
	}
	return nil, true
}

func dictItems(d ogórek.Dict) []kv {
	items := make([]kv, 0, d.Len())
	for k, v := range d.Iter() {
		items = append(items, kv{k, v})
	}
	return items
}

func seqItems(s []any) []kv {
	items := make([]kv, len(s))
	for i, v := range s {
		items[i] = kv{int64(i), v}
	}
	return items
}

// setItems returns the items of a set or frozenset, which zpickle shows as
// the call builtins.set([items]) that protocols 0 to 3 pickle.
func setItems(c ogórek.Call) ([]any, bool) {
	switch c.Callable.Module {
	case "builtins", "__builtin__":
	default:
		return nil, false
	}
	if c.Callable.Name != "set" && c.Callable.Name != "frozenset" || len(c.Args) != 1 {
		return nil, false
	}
	items, ok := c.Args[0].([]any)
	return items, ok
}

// attrItems returns the attributes an instance's state gives it: the
// items of a dict, or of the two dicts of the state (dict or None, slots)
// that persistent's __getstate__ returns for a class with __slots__.
func attrItems(state any) ([]kv, bool) {
	switch s := state.(type) {
	case ogórek.Dict:
		return dictItems(s), true
	case ogórek.Tuple:
		if len(s) != 2 {
			return nil, false
		}
		slots, ok := s[1].(ogórek.Dict)
		if !ok {
			return nil, false
		}
		var items []kv
		switch d := s[0].(type) {
		case ogórek.Dict:
			items = dictItems(d)
		case ogórek.None:
		default:
			return nil, false
		}
		return append(items, dictItems(slots)...), true
	}
	return nil, false
}

// memDir is a directory held whole in memory: the entries of one record's
// container.
type memDir struct {
	entries []Entry
	byName  map[string]int
}

// newMemDir names and orders items: sequences keep their order and are
// named by index, other containers are sorted and named by nameKeys.
func newMemDir(items []kv, ordered bool, owner zodb.Oid, at zodb.Tid) *memDir {
	bud := newBudget()
	var names []string
	if ordered {
		names = make([]string, len(items))
		for i := range items {
			names[i] = strconv.Itoa(i)
		}
	} else {
		sortItems(items, bud)
		keys := make([]any, len(items))
		for i, it := range items {
			keys[i] = it.k
		}
		names = nameKeys(keys, bud)
	}
	return newMemDirNamed(items, names, owner, at, bud)
}

// newMemDirNamed makes the directory of items named names, in that order.
func newMemDirNamed(items []kv, names []string, owner zodb.Oid, at zodb.Tid, bud *budget) *memDir {
	d := &memDir{entries: make([]Entry, len(items)), byName: make(map[string]int, len(items))}
	for i, it := range items {
		d.entries[i] = makeEntry(names[i], it.k, it.v, owner, at, bud)
		d.byName[names[i]] = i
	}
	return d
}

func (d *memDir) lookup(name string) (Entry, bool) {
	i, ok := d.byName[name]
	if !ok {
		return Entry{}, false
	}
	return d.entries[i], true
}
