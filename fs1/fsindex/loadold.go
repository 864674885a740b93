package fsindex

import (
	"fmt"

	"github.com/zodbneo/zodbneo/zodb"
)

// The old form is one pickle of {'pos': pos, 'index': index}. ZODB before
// 3.9 wrote it with index an fsIndex instance whose state is its __dict__,
// {'_data': OOBTree(prefix → fsBTree(suffix → 6-byte pos))} (or, older
// still, a plain dict for _data or for the whole index). Python 3
// FileStorage still writes this form when it converts such a file, then
// with fsIndex's state_version 1 state.

// maxTreeDepth bounds the recursion into pickled BTrees: real ones are a
// few levels deep, and a forged self-referencing tree must not hang Load.
const maxTreeDepth = 64

func oldErrorf(format string, args ...any) error {
	return fmt.Errorf("old-form index: %s: %w", fmt.Sprintf(format, args...), zodb.ErrCorrupt)
}

func loadOld(info *pyDict, x *Index) error {
	pos, ok := info.get("pos")
	if !ok {
		return oldErrorf("no 'pos'")
	}
	n, ok := pos.(int64)
	if !ok {
		return oldErrorf("'pos' is %s", typeName(pos))
	}
	x.TopPos = n
	index, ok := info.get("index")
	if !ok {
		return oldErrorf("no 'index'")
	}
	switch index := index.(type) {
	case *pyDict:
		return loadOidMap(index, x)
	case *pyObject:
		if g, _ := realClass(index); g.name != "fsIndex" {
			return oldErrorf("'index' is %s", typeName(index))
		}
		return loadFsIndexState(index.state, x)
	}
	return oldErrorf("'index' is %s", typeName(index))
}

// loadOidMap loads an index saved as a plain dict of oid → pos.
func loadOidMap(d *pyDict, x *Index) error {
	for i, k := range d.keys {
		oid, ok := asBytes(k)
		if !ok || len(oid) != 8 {
			return oldErrorf("oid is %s", typeName(k))
		}
		pos, ok := d.vals[i].(int64)
		if !ok {
			return oldErrorf("pos is %s", typeName(d.vals[i]))
		}
		x.Set(zodb.Oid(be48(oid[:6])<<16|uint64(oid[6])<<8|uint64(oid[7])), pos)
	}
	return nil
}

// loadFsIndexState loads a pickled fsIndex instance's state.
func loadFsIndexState(state any, x *Index) error {
	d, ok := state.(*pyDict)
	if !ok {
		return oldErrorf("fsIndex state is %s", typeName(state))
	}
	data, ok := d.get("_data")
	if !ok {
		return oldErrorf("fsIndex state has no _data")
	}
	version := int64(0)
	if v, ok := d.get("state_version"); ok {
		if version, ok = v.(int64); !ok {
			return oldErrorf("state_version is %s", typeName(v))
		}
	}
	switch version {
	case 0:
		return eachItem(data, 0, func(prefix, bucket any) error {
			pfx, err := prefixOf(prefix)
			if err != nil {
				return err
			}
			return eachItem(bucket, 0, func(suffix, pos any) error {
				return setSuffix(x, pfx, suffix, pos)
			})
		})
	case 1:
		items, ok := sequence(data)
		if !ok {
			return oldErrorf("_data is %s", typeName(data))
		}
		for _, it := range items {
			kv, ok := sequence(it)
			if !ok || len(kv) != 2 {
				return oldErrorf("_data item is %s", typeName(it))
			}
			if err := setBucketString(x, kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	}
	return oldErrorf("unknown fsIndex state_version %d", version)
}

// setSuffix adds one entry of a pickled fsBucket: 2-byte suffix → 6-byte
// position.
func setSuffix(x *Index, pfx uint64, suffix, pos any) error {
	k, ok1 := asBytes(suffix)
	v, ok2 := asBytes(pos)
	if !ok1 || !ok2 || len(k) != suffixLen || len(v) != posLen {
		return oldErrorf("fsBucket item is (%s, %s)", typeName(suffix), typeName(pos))
	}
	x.Set(zodb.Oid(pfx<<16|uint64(k[0])<<8|uint64(k[1])), int64(be48(v)))
	return nil
}

func sequence(v any) ([]any, bool) {
	switch v := v.(type) {
	case pyTuple:
		return v, true
	case *pyList:
		return v.items, true
	}
	return nil, false
}

// eachItem calls f for each key and value of a mapping: a dict, or a
// pickled BTree or bucket of the BTrees package, whose states are:
//
//	bucket: (items,) or (items, next bucket), items = (k0, v0, k1, v1, ...)
//	tree:   None (empty), ((items,),) for one inlined bucket, or
//	        ((child0, key1, child1, ...), first bucket)
//
// The next and first bucket links are not followed: every bucket is
// reached as a child.
func eachItem(m any, depth int, f func(k, v any) error) error {
	if depth > maxTreeDepth {
		return oldErrorf("BTree nested over %d levels", maxTreeDepth)
	}
	switch m := m.(type) {
	case *pyDict:
		for i, k := range m.keys {
			if err := f(k, m.vals[i]); err != nil {
				return err
			}
		}
		return nil
	case *pyObject:
		return eachBTreeItem(m, depth, f)
	}
	return oldErrorf("mapping is %s", typeName(m))
}

func eachBTreeItem(o *pyObject, depth int, f func(k, v any) error) error {
	g, ok := realClass(o)
	if !ok {
		return oldErrorf("mapping is %s", typeName(o))
	}
	if o.state == nil {
		return nil
	}
	if _, ok := o.state.(pyNone); ok {
		return nil
	}
	state, ok := o.state.(pyTuple)
	if !ok || len(state) == 0 {
		return oldErrorf("%s state is %s", className(o), typeName(o.state))
	}
	if isBucketClass(g) {
		return eachFlatItem(state[0], f)
	}
	if len(state) == 1 { // one inlined bucket
		bstate, ok := state[0].(pyTuple)
		if !ok || len(bstate) == 0 {
			return oldErrorf("%s state holds %s", className(o), typeName(state[0]))
		}
		return eachFlatItem(bstate[0], f)
	}
	children, ok := state[0].(pyTuple)
	if !ok {
		return oldErrorf("%s children are %s", className(o), typeName(state[0]))
	}
	for i := 0; i < len(children); i += 2 {
		if err := eachItem(children[i], depth+1, f); err != nil {
			return err
		}
	}
	return nil
}

// eachFlatItem walks a bucket's (k0, v0, k1, v1, ...) tuple.
func eachFlatItem(items any, f func(k, v any) error) error {
	kv, ok := items.(pyTuple)
	if !ok || len(kv)%2 != 0 {
		return oldErrorf("bucket items are %s", typeName(items))
	}
	for i := 0; i < len(kv); i += 2 {
		if err := f(kv[i], kv[i+1]); err != nil {
			return err
		}
	}
	return nil
}
