package objgraph

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/btree"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// Kind says how an object is shown as a directory.
type Kind int

const (
	KindInstance Kind = iota // its attributes: the keys of its state dict, or one entry "state"
	KindMapping              // PersistentMapping, PersistentDict: the items of its dict
	KindList                 // PersistentList: its items "0", "1", ...
	KindBTree                // OOBTree, IOBTree...: every item, in key order
	KindBucket               // OOBucket...: the items of this bucket only
	KindTreeSet              // OOTreeSet...: every item
	KindSet                  // OOSet...: the items of this set bucket only
)

var kindNames = [...]string{"instance", "mapping", "list", "btree", "bucket", "treeset", "set"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Object is one object of the graph, decoded. Objects are shared by the
// graph's cache: their fields and what they return must not be changed.
// An Object may be used from several goroutines at once.
type Object struct {
	Oid    zodb.Oid
	Serial zodb.Tid // the tid that wrote the revision seen
	Data   []byte   // the raw record: class pickle and state pickle
	// Class is "module.Name", as ZODB's get_pickle_metadata gives it
	// (zpickle.ClassOf); "" when it cannot say.
	Class string
	Kind  Kind
	// State is the decoded state (zpickle.Decode); nil when the record's
	// pickles do not decode.
	State any
	// Err is why the object cannot be shown as a directory: an *Error
	// wrapping ErrBroken, for a record whose pickles do not decode or a
	// BTree whose state is not one. Entries and Lookup return it, and so
	// does StateText when State is nil.
	Err error

	g       *Graph
	keys    keyType       // KindBTree..KindSet: the type of the keys
	tree    *btree.Tree   // KindBTree, KindTreeSet
	bucket  *btree.Bucket // KindBucket, KindSet
	content any           // KindMapping, KindList: the dict or list shown

	dirOnce sync.Once
	dir     *memDir

	budOnce sync.Once // KindBucket, KindSet: budAt
	budAt   []int

	refsOnce sync.Once
	refs     []zpickle.Ref
	refsErr  error
}

// keyType is what a BTree family's keys are: the first letters of its
// module name, BTrees.IOBTree and so on.
type keyType byte

const (
	// keysObject: OO, OI, OL, OQ, OU, OF: any comparable Python object;
	// and fs: 2-byte strings, which Python 2 wrote as str.
	keysObject keyType = 'O'
	keysInt    keyType = 'I' // I, L, Q, U families: integers
)

// mapping and list classes of the persistent package (and the names of
// old ZODBs) whose state is {'data': dict or list}.
var (
	mappingClasses = map[string]bool{
		"persistent.mapping.PersistentMapping":     true,
		"persistent.dict.PersistentDict":           true,
		"ZODB.PersistentMapping.PersistentMapping": true,
		"ZODB.PersistentDict.PersistentDict":       true,
	}
	listClasses = map[string]bool{
		"persistent.list.PersistentList":     true,
		"ZODB.PersistentList.PersistentList": true,
	}
)

func newObject(g *Graph, oid zodb.Oid, serial zodb.Tid, data []byte) *Object {
	o := &Object{g: g, Oid: oid, Serial: serial, Data: data}
	module, name, cerr := zpickle.ClassOf(data)
	switch {
	case cerr != nil:
	case name == "":
		o.Class = module
	default:
		o.Class = module + "." + name
	}
	_, state, err := zpickle.Decode(data)
	if err != nil {
		o.Err = &Error{Oid: oid, At: g.at, Err: broken(err)}
		return o
	}
	o.State = state
	if err := o.classify(module, name); err != nil {
		o.tree, o.bucket = nil, nil
		o.Err = &Error{Oid: oid, At: g.at, Err: broken(err)}
	}
	return o
}

// classify sets how the object is shown, decoding a BTree's state.
func (o *Object) classify(module, name string) error {
	if kind, ok := btree.IsBTreeClass(module, name); ok {
		o.keys = familyKeys(module)
		var err error
		switch kind {
		case btree.KindBTree:
			o.Kind = KindBTree
			o.tree, err = btree.DecodeTree(o.State)
		case btree.KindTreeSet:
			o.Kind = KindTreeSet
			o.tree, err = btree.DecodeTreeSet(o.State)
		case btree.KindBucket:
			o.Kind = KindBucket
			o.bucket, err = btree.DecodeBucket(o.State)
		case btree.KindSet:
			o.Kind = KindSet
			o.bucket, err = btree.DecodeSet(o.State)
		}
		return err
	}
	switch {
	case mappingClasses[o.Class]:
		if d, ok := dataOf(o.State, "data", "_container").(ogórek.Dict); ok {
			o.Kind, o.content = KindMapping, d
		}
	case listClasses[o.Class]:
		if l, ok := dataOf(o.State, "data").([]any); ok {
			o.Kind, o.content = KindList, l
		}
	}
	return nil
}

// dataOf returns the value of a state {'data': value} (one of names) that
// holds nothing else; nil otherwise. A subclass that adds attributes is
// shown as an instance, so that none is hidden.
func dataOf(state any, names ...string) any {
	d, ok := state.(ogórek.Dict)
	if !ok || d.Len() != 1 {
		return nil
	}
	for _, n := range names {
		if v, ok := d.Get_(n); ok {
			return v
		}
	}
	return nil
}

// familyKeys returns the key type of a BTrees module, BTrees.IOBTree or
// BTrees._IOBTree.
func familyKeys(module string) keyType {
	fam := strings.TrimPrefix(strings.TrimPrefix(module, "BTrees."), "_")
	if strings.HasPrefix(fam, "O") || strings.HasPrefix(fam, "fs") {
		return keysObject
	}
	return keysInt
}

// Entries lists the object's children (see doc.go). A BTree's items are
// read one bucket at a time as the iteration goes; any other object's are
// in its own record.
func (o *Object) Entries(ctx context.Context) *Iter {
	if o.Err != nil {
		return errIter(o.Err)
	}
	if o.tree != nil {
		return o.treeIter(ctx)
	}
	return sliceIter(ctx, o.memDir().entries)
}

// Lookup returns the child called name, or an *Error wrapping ErrNotFound.
func (o *Object) Lookup(ctx context.Context, name string) (Entry, error) {
	if o.Err != nil {
		return Entry{}, o.Err
	}
	if o.tree != nil {
		return o.treeLookup(ctx, name)
	}
	if e, ok := o.memDir().lookup(name); ok {
		return e, nil
	}
	return Entry{}, notFound(o.Oid, o.g.at, name)
}

// memDir builds the entries of an object that is not a tree.
func (o *Object) memDir() *memDir {
	o.dirOnce.Do(func() {
		switch o.Kind {
		case KindMapping, KindList:
			items, ordered := containerItems(o.content)
			o.dir = newMemDir(items, ordered, o.Oid, o.g.at)
		case KindBucket, KindSet:
			o.dir = o.bucketDir()
		default:
			if items, ok := attrItems(o.State); ok {
				o.dir = newMemDir(items, false, o.Oid, o.g.at)
			} else {
				o.dir = newMemDirNamed([]kv{{"state", o.State}}, []string{"state"}, o.Oid, o.g.at, newBudget())
			}
		}
	})
	return o.dir
}

// bucketDir is a bucket's items, in the bucket's order.
func (o *Object) bucketDir() *memDir {
	b := o.bucket
	items := make([]kv, len(b.Keys))
	for i, k := range b.Keys {
		items[i] = kv{k, bucketValue(b, i)}
	}
	bud := newBudget()
	return newMemDirNamed(items, nameKeys(b.Keys, bud), o.Oid, o.g.at, bud)
}

// bucketValue is the value of item i of a bucket; a set's item shows
// itself.
func bucketValue(b *btree.Bucket, i int) any {
	if b.Values == nil {
		return b.Keys[i]
	}
	return b.Values[i]
}

// StateText returns the object's state as readable text ending with "\n":
// Python's repr, broken over indented lines where a line would pass 80
// columns, dict keys sorted, a BTree's keys and values (or separator keys
// and children) paired on one line. The text is the same for the same
// record. A state whose text would pass 16 MiB is cut with "...".
func (o *Object) StateText() ([]byte, error) {
	if o.State == nil {
		return nil, o.Err
	}
	return stateText(o.State, o.Kind.hint()), nil
}

// StateText returns the state text of a record, as Object.StateText
// writes it, for a revision read outside a Graph: one of an object's
// history. An undecodable record gives an error wrapping ErrBroken.
func StateText(data []byte) ([]byte, error) {
	_, state, err := zpickle.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("objgraph: %w", broken(err))
	}
	kind := KindInstance
	if module, name, err := zpickle.ClassOf(data); err == nil {
		switch k, _ := btree.IsBTreeClass(module, name); k {
		case btree.KindBucket:
			kind = KindBucket
		case btree.KindBTree, btree.KindTreeSet:
			kind = KindBTree
		}
	}
	return stateText(state, kind.hint()), nil
}

// hint is how the state text of a kind of object lays out its items.
func (k Kind) hint() hint {
	switch k {
	case KindBucket:
		return hintBucket
	case KindBTree, KindTreeSet:
		return hintTree
	}
	return hintNone
}

// Refs returns every persistent reference of the record, in order
// (zpickle.References).
func (o *Object) Refs() ([]zpickle.Ref, error) {
	o.refsOnce.Do(func() {
		o.refs, o.refsErr = zpickle.References(o.Data)
		if o.refsErr != nil {
			o.refsErr = &Error{Oid: o.Oid, At: o.g.at, Err: broken(o.refsErr)}
		}
	})
	return o.refs, o.refsErr
}
