package zpickle

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"sync"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// Object is an instance that a pickle builds in a way og-rek has no value
// for: NEWOBJ (cls.__new__(cls, *args)), NEWOBJ_EX, INST and OBJ (protocol
// 0/1 instances), copyreg._reconstructor (protocol 0/1 instances of plain
// classes), a call of a persistent class, or any object whose state BUILD
// sets. Objects are shared
// by pointer, as the pickle's memo shares them, so a structure that refers
// to itself does so through the same *Object.
type Object struct {
	Class  any          // usually an ogórek.Class; a Ref for a persistent class
	Args   ogórek.Tuple // arguments to __new__ or to the constructor
	Kwargs any          // NEWOBJ_EX keyword arguments, else nil
	State  any          // the argument of BUILD (__setstate__), else nil
}

// Decode decodes both pickles of a ZODB object record: the class pickle
// (an ogórek.Class, or a tuple (class, args) — see ZODB/serialize.py) and
// the state pickle. Values are og-rek's, decoded with PyDict and
// StrictUnicode on: dicts are ogórek.Dict, Python 2 str is
// ogórek.ByteString. Persistent references are Ref values, and instances
// og-rek cannot express are *Object. As in ZODB, both pickles share one
// memo, and bytes after the second pickle are ignored.
//
// An undecodable record gives an error marked with zodb.ErrCorrupt.
func Decode(data []byte) (class, state any, err error) {
	stream, err := rewriteRecord(data)
	if err != nil {
		return nil, nil, corrupt(err)
	}
	h := hook{loadRef: loadRef}
	v, err := h.run(stream, 2)
	if err != nil {
		return nil, nil, err
	}
	return v[0], v[1], nil
}

// decodeOne decodes a single pickle, as Python's Unpickler.load does.
func decodeOne(data []byte) (any, error) {
	stream, err := rewriteOne(data)
	if err != nil {
		return nil, corrupt(err)
	}
	h := hook{loadRef: loadRef}
	v, err := h.run(stream, 1)
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// loadRef is the persistent load of Decode: every reference becomes a Ref.
func loadRef(pid any) (any, error) {
	r, err := refOf(pid)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func corrupt(err error) error {
	return fmt.Errorf("zpickle: %w: %w", zodb.ErrCorrupt, err)
}

// hook is og-rek's PersistentLoad for a stream made by rewrite.
type hook struct {
	loadRef func(pid any) (any, error) // what a persistent id becomes
	err     error                      // the first error of load, whole: og-rek keeps only its text
}

// readers keeps the 4 KiB buffers og-rek reads through: og-rek wraps
// whatever it is given in a bufio.Reader unless it already is one that big.
var readers = sync.Pool{New: func() any { return new(pooledReader) }}

type pooledReader struct {
	b bytes.Reader
	r *bufio.Reader
}

// run decodes n pickles from stream with one og-rek decoder, so that they
// share its memo.
func (h *hook) run(stream []byte, n int) ([2]any, error) {
	var out [2]any
	pr := readers.Get().(*pooledReader)
	defer readers.Put(pr)
	pr.b.Reset(stream)
	if pr.r == nil {
		pr.r = bufio.NewReaderSize(&pr.b, 4096)
	} else {
		pr.r.Reset(&pr.b)
	}
	d := ogórek.NewDecoderWithConfig(pr.r, &ogórek.DecoderConfig{
		PersistentLoad: h.load,
		StrictUnicode:  true,
		PyDict:         true,
	})
	for i := 0; i < n; i++ {
		v, err := d.Decode()
		if err != nil {
			if h.err != nil {
				err = h.err
			}
			what := "class pickle"
			if i == 1 {
				what = "state pickle"
			}
			return out, corrupt(fmt.Errorf("%s: %w", what, err))
		}
		out[i] = v
	}
	return out, nil
}

func (h *hook) load(r ogórek.Ref) (any, error) {
	v, err := h.build(r.Pid)
	if err != nil && h.err == nil {
		h.err = err
	}
	return v, err
}

var errBadHookCall = errors.New("malformed rewritten pickle")

// build makes the value for one tagged tuple of the rewritten stream.
func (h *hook) build(pid any) (any, error) {
	t, ok := pid.(ogórek.Tuple)
	if !ok || len(t) == 0 {
		return nil, errBadHookCall
	}
	tag, ok := t[len(t)-1].(int64)
	if !ok {
		return nil, errBadHookCall
	}
	a := t[:len(t)-1]
	switch {
	case tag == tagRef && len(a) == 1:
		return h.loadRef(a[0])
	case tag == tagReduce && len(a) == 2:
		return reduce(a[0], a[1])
	case tag == tagBuild && len(a) == 2:
		return setState(a[0], a[1]), nil
	case tag == tagNewobj && len(a) == 2:
		args, ok := a[1].(ogórek.Tuple)
		if !ok {
			return nil, fmt.Errorf("NEWOBJ: arguments are %T, not a tuple", a[1])
		}
		return &Object{Class: a[0], Args: args}, nil
	case tag == tagNewobjEx && len(a) == 1:
		x, ok := a[0].(ogórek.Tuple)
		if !ok || len(x) != 3 {
			return nil, errBadHookCall
		}
		args, ok := x[1].(ogórek.Tuple)
		if !ok {
			return nil, fmt.Errorf("NEWOBJ_EX: arguments are %T, not a tuple", x[1])
		}
		return &Object{Class: x[0], Args: args, Kwargs: x[2]}, nil
	case tag == tagInst && len(a) == 2:
		args, _ := a[0].(ogórek.Tuple)
		return &Object{Class: a[1], Args: args}, nil
	case tag == tagObj && len(a) == 1:
		x, _ := a[0].(ogórek.Tuple)
		if len(x) == 0 {
			return nil, errors.New("OBJ: no class")
		}
		return &Object{Class: x[0], Args: x[1:]}, nil
	case tag == tagEmptySet && len(a) == 1:
		return pySet("set", a[0]), nil
	case tag == tagFrozenSet && len(a) == 1:
		return pySet("frozenset", a[0]), nil
	case tag == tagAddItems && len(a) == 2:
		return addItems(a[0], a[1])
	}
	return nil, errBadHookCall
}

// pySet is a set as og-rek shows the ones protocols 0 to 3 write:
// builtins.set([items]) called by REDUCE.
func pySet(name string, items any) ogórek.Call {
	return ogórek.Call{
		Callable: ogórek.Class{Module: "builtins", Name: name},
		Args:     ogórek.Tuple{items},
	}
}

// addItems adds items to a set made by EMPTY_SET, in place: the set may
// already sit in the memo.
func addItems(set, items any) (any, error) {
	c, ok := set.(ogórek.Call)
	if ok && c.Callable.Module == "builtins" && c.Callable.Name == "set" && len(c.Args) == 1 {
		if l, ok := c.Args[0].([]any); ok {
			more, _ := items.([]any)
			c.Args[0] = append(l, more...)
			return c, nil
		}
	}
	return nil, fmt.Errorf("ADDITEMS: not a set: %T", set)
}

// setState is BUILD: it gives obj its state.
func setState(obj, state any) any {
	switch o := obj.(type) {
	case *Object:
		o.State = state
		return o
	case ogórek.Call:
		// An object whose __reduce__ gives a state too. The memo keeps
		// the Call, and so what refers to it again shows no state: a
		// rare case, not worth giving every call an identity for.
		return &Object{Class: o.Callable, Args: o.Args, State: state}
	}
	return &Object{Class: obj, State: state}
}

func isNone(v any) bool {
	_, ok := v.(ogórek.None)
	return ok
}
