package objgraph

import (
	"reflect"
	"strconv"
	"unicode/utf8"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/internal/pyquote"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// The readable text of a state: Python's repr (zpickle.Repr for scalars)
// with containers broken over indented lines, one item a line, where they
// do not fit in textWidth columns — the way a person lays out a literal by
// hand:
//
//	{
//	    'data': {'name': 'small', 'version': 1},
//	    'refs': [
//	        <ref oid=0x1d class=zcorpus.Node>,
//	        ...
//	    ],
//	}
//
// The state of a bucket keeps each key with its value on one line, that of
// a tree each separator key with the child after it.

const (
	textWidth  = 80
	textIndent = "    "
	// textBudget bounds the text written, trial layouts included: a
	// pickle of a few bytes can share one value many times over through
	// its memo and so describe a text of exponential size.
	textBudget = 16 << 20
	// textDepth bounds nesting; deeper values show as "...".
	textDepth = 100
)

// hint says how to lay out the items of a BTree state's tuples.
type hint int

const (
	hintNone       hint = iota
	hintBucket          // ((k0, v0, ...), next): pair the items of element 0
	hintTree            // ((c0, k1, c1, ...), first), or an inline bucket
	hintInlineTree      // ((bucket_state,),): element 0 is a bucket's state
	hintPairs0          // these items go in pairs: (k0, v0), (k1, v1)...
	hintPairs1          // the first item alone, then pairs: c0, (k1, c1)...
)

// stateText lays out v and ends it with "\n".
func stateText(v any, h hint) []byte {
	w := &textWriter{max: textBudget, active: map[any]bool{}, bud: newBudget()}
	w.block(v, "", h, 0)
	if w.spent > textBudget || len(w.b) > textBudget {
		n := min(len(w.b), textBudget)
		for n > 0 && n < len(w.b) && !utf8.RuneStart(w.b[n]) {
			n--
		}
		w.b = append(w.b[:n], "..."...)
	}
	return append(w.b, '\n')
}

type textWriter struct {
	b      []byte
	spent  int          // bytes written, trial layouts included
	max    int          // bytes it may write
	active map[any]bool // identities of the containers being written
	bud    *budget      // for the names that sort keys of no known order
}

func (w *textWriter) write(s string) {
	w.b = append(w.b, s...)
	w.spent += len(s)
}

func (w *textWriter) over() bool { return w.spent > w.max }

// col is the column the next byte goes to.
func (w *textWriter) col() int {
	for i := len(w.b) - 1; i >= 0; i-- {
		if w.b[i] == '\n' {
			return len(w.b) - 1 - i
		}
	}
	return len(w.b)
}

// block writes v at the current position, on one line if it fits and
// broken over lines indented by indent otherwise.
func (w *textWriter) block(v any, indent string, h hint, depth int) {
	if w.over() {
		return
	}
	c, ok := w.open(v)
	if !ok || depth > textDepth {
		w.inline(v, -1, depth)
		return
	}
	mark := len(w.b)
	if w.inline(v, textWidth-w.col(), depth) {
		return
	}
	w.b = w.b[:mark]
	if w.active[c.id] {
		w.write(c.cycle)
		return
	}
	w.active[c.id] = true
	defer delete(w.active, c.id)

	inner := indent + textIndent
	w.write(c.open)
	w.write("\n")
	items := c.items
	for i := 0; i < len(items) && !w.over(); {
		n := 1
		if (h == hintPairs0 && i%2 == 0 || h == hintPairs1 && i%2 == 1) && i+1 < len(items) {
			n = 2
		}
		w.write(inner)
		for j := i; j < i+n; j++ {
			if j > i {
				w.write(" ")
			}
			w.item(items[j], inner, childHint(h, v, j), depth+1)
			w.write(",")
		}
		w.write("\n")
		i += n
	}
	w.write(indent)
	w.write(c.close)
}

// item writes one item of a broken container: "key: value" for a dict,
// "name=value" for an object's parts, the value for others.
func (w *textWriter) item(it textItem, indent string, h hint, depth int) {
	if it.label != "" {
		w.write(it.label)
	} else if it.hasKey {
		w.inline(it.key, -1, depth)
		w.write(": ")
	}
	w.block(it.val, indent, h, depth)
}

// childHint is the hint for item j of a container laid out with hint h.
func childHint(h hint, v any, j int) hint {
	if j != 0 {
		return hintNone
	}
	switch h {
	case hintBucket:
		return hintPairs0
	case hintInlineTree:
		return hintBucket
	case hintTree:
		if t, ok := v.(ogórek.Tuple); ok && len(t) == 1 {
			if inner, ok := t[0].(ogórek.Tuple); ok && len(inner) == 1 {
				if _, ok := inner[0].(ogórek.Tuple); ok {
					return hintInlineTree
				}
			}
		}
		return hintPairs1
	}
	return hintNone
}

// inline writes v on one line. With limit ≥ 0 it stops, returning false,
// once the text passes limit bytes.
func (w *textWriter) inline(v any, limit, depth int) bool {
	start := len(w.b)
	fits := func() bool { return limit < 0 || len(w.b)-start <= limit }
	if w.over() {
		return false
	}
	// Lists and tuples, the bulk of states, without building a container.
	switch x := v.(type) {
	case ogórek.Tuple:
		if depth <= textDepth {
			return w.inlineSeq("(", x, ")", len(x) == 1, limit, depth)
		}
	case []any:
		if depth <= textDepth && len(x) > 0 {
			id := identity(x)
			if w.active[id] {
				w.write("[...]")
				return fits()
			}
			w.active[id] = true
			defer delete(w.active, id)
		}
		if depth <= textDepth {
			return w.inlineSeq("[", x, "]", false, limit, depth)
		}
	}
	c, ok := w.open(v)
	if !ok {
		if limit >= 0 && rawLen(v) > limit {
			return false
		}
		w.scalar(v)
		return fits()
	}
	if depth > textDepth {
		w.write("...")
		return fits()
	}
	if w.active[c.id] {
		w.write(c.cycle)
		return fits()
	}
	w.active[c.id] = true
	defer delete(w.active, c.id)
	if len(c.items) == 0 && c.empty != "" {
		w.write(c.empty)
		return fits()
	}
	w.write(c.open)
	for i, it := range c.items {
		if i > 0 {
			w.write(c.sep)
		}
		if it.label != "" {
			w.write(it.label)
		} else if it.hasKey {
			if !w.inline(it.key, left(limit, len(w.b)-start), depth+1) || !fits() {
				return false
			}
			w.write(": ")
		}
		if !w.inline(it.val, left(limit, len(w.b)-start), depth+1) || !fits() {
			return false
		}
	}
	if c.single {
		w.write(",")
	}
	w.write(c.close)
	return fits()
}

// scalar writes the repr of a value that is not a container: the common
// ones here, without the allocations of zpickle.Repr, the others by it.
func (w *textWriter) scalar(v any) {
	n := len(w.b)
	switch x := v.(type) {
	case int64:
		w.b = strconv.AppendInt(w.b, x, 10)
	case float64:
		w.b = pyquote.AppendFloatRepr(w.b, x, true)
	case bool:
		w.b = strconv.AppendBool(w.b, x)
		w.b[n] -= 'a' - 'A' // True, False
	case ogórek.None:
		w.b = append(w.b, "None"...)
	case ogórek.Bytes:
		w.b = pyquote.AppendBytesRepr(w.b, []byte(x))
	case string:
		if !isASCII(x) {
			w.b = append(w.b, zpickle.Repr(v)...)
			break
		}
		// Python's repr of an ASCII str is that of bytes, without the b.
		w.b = pyquote.AppendASCIIRepr(w.b, []byte(x))
	default:
		w.b = append(w.b, zpickle.Repr(v)...)
	}
	w.spent += len(w.b) - n
}

// inlineSeq writes the items of a list or tuple on one line.
func (w *textWriter) inlineSeq(open string, items []any, close string, single bool, limit, depth int) bool {
	start := len(w.b)
	w.write(open)
	for i, v := range items {
		if i > 0 {
			w.write(", ")
		}
		if !w.inline(v, left(limit, len(w.b)-start), depth+1) || limit >= 0 && len(w.b)-start > limit {
			return false
		}
	}
	if single {
		w.write(",")
	}
	w.write(close)
	return limit < 0 || len(w.b)-start <= limit
}

// left is what is left of a limit after used bytes; no limit is -1.
func left(limit, used int) int {
	if limit < 0 {
		return -1
	}
	return max(0, limit-used)
}

// rawLen is a lower bound of the length of a scalar's repr, known without
// making it.
func rawLen(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case ogórek.Bytes:
		return len(x)
	case ogórek.ByteString:
		return len(x)
	case []byte:
		return len(x)
	}
	return 0
}

// container is how a container value is written.
type container struct {
	id               any // identity, to write a container inside itself as Python does
	open, close, sep string
	cycle            string // what a container inside itself shows
	empty            string // the text of an empty one, when not open+close
	single           bool   // a 1-tuple: "(x,)"
	items            []textItem
}

type textItem struct {
	key    any
	hasKey bool
	label  string // "args=" and "state=" of an object
	val    any
}

// isContainer reports whether v is written as a container: a dict, list,
// tuple, set, call or instance — whatever a pickle's memo can make huge.
func isTextContainer(v any) bool {
	switch x := v.(type) {
	case ogórek.Dict, map[any]any, []any, ogórek.Tuple, *zpickle.Object:
		return true
	case ogórek.Call:
		return !isComplex(x)
	}
	return false
}

// isComplex reports whether c is complex(re, im) of two floats, which
// zpickle.Repr writes as Python does, (1-2j).
func isComplex(c ogórek.Call) bool {
	if m := c.Callable.Module; (m != "builtins" && m != "__builtin__") || c.Callable.Name != "complex" || len(c.Args) != 2 {
		return false
	}
	_, ok1 := c.Args[0].(float64)
	_, ok2 := c.Args[1].(float64)
	return ok1 && ok2
}

// open returns how to write v, or false for a scalar.
func (w *textWriter) open(v any) (container, bool) {
	if !isTextContainer(v) {
		return container{}, false
	}
	switch x := v.(type) {
	case ogórek.Dict:
		return dictContainer(identity(x), dictItems(x), w.bud), true
	case map[any]any:
		items := make([]kv, 0, len(x))
		for k, val := range x {
			items = append(items, kv{k, val})
		}
		return dictContainer(identity(x), items, w.bud), true
	case []any:
		return seqContainer(identity(x), "[", "]", "[...]", x, false), true
	case ogórek.Tuple:
		return seqContainer(identity(x), "(", ")", "(...)", x, len(x) == 1), true
	case ogórek.Call:
		return w.callContainer(x), true
	case *zpickle.Object:
		return w.objectContainer(x), true
	}
	return container{}, false
}

// callContainer writes a set as {1, 2}, set(), frozenset({1}), and any
// other call as module.Name(args), as zpickle.Repr does.
func (w *textWriter) callContainer(x ogórek.Call) container {
	elems, ok := setItems(x)
	if !ok {
		name := x.Callable.Module + "." + x.Callable.Name
		return seqContainer(identity(x.Args), name+"(", ")", name+"(...)", x.Args, false)
	}
	items := make([]kv, len(elems))
	for i, e := range elems {
		items[i] = kv{e, nil}
	}
	sortItems(items, w.bud)
	vals := make([]any, len(items))
	for i, it := range items {
		vals[i] = it.k
	}
	c := seqContainer(identity(x.Args), "{", "}", "{...}", vals, false)
	c.empty = x.Callable.Name + "()"
	if x.Callable.Name == "frozenset" {
		c.open, c.close = "frozenset({", "})"
	}
	return c
}

func dictContainer(id any, items []kv, bud *budget) container {
	sortItems(items, bud)
	c := container{id: id, open: "{", close: "}", sep: ", ", cycle: "{...}"}
	c.items = make([]textItem, len(items))
	for i, it := range items {
		c.items[i] = textItem{key: it.k, hasKey: true, val: it.v}
	}
	return c
}

func seqContainer(id any, open, close, cycle string, vals []any, single bool) container {
	c := container{id: id, open: open, close: close, sep: ", ", cycle: cycle, single: single}
	c.items = make([]textItem, len(vals))
	for i, v := range vals {
		c.items[i] = textItem{val: v}
	}
	return c
}

// objectContainer writes an instance as zpickle.Repr does,
// <module.Name object args=... state=...>, its parts breakable.
func (w *textWriter) objectContainer(o *zpickle.Object) container {
	var class string
	if cls, ok := o.Class.(ogórek.Class); ok {
		class = cls.Module + "." + cls.Name
	} else {
		class = oneLine(o.Class, nameReprMax, w.bud)
	}
	c := container{id: o, open: "<" + class + " object ", close: ">", sep: " ", cycle: "<...>"}
	if len(o.Args) > 0 {
		c.items = append(c.items, textItem{label: "args=", val: o.Args})
	}
	if o.Kwargs != nil {
		c.items = append(c.items, textItem{label: "kwargs=", val: o.Kwargs})
	}
	if o.State != nil {
		c.items = append(c.items, textItem{label: "state=", val: o.State})
	}
	if len(c.items) == 0 {
		c.empty = "<" + class + " object>"
	}
	return c
}

// identity names a container for the cycle check: the address of the
// table behind an ogórek.Dict (a handle whose copies share it), of a
// slice's array, of a map.
func identity(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			return listKey(&x[0])
		}
	case ogórek.Tuple:
		if len(x) > 0 {
			return tupleKey(&x[0])
		}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Struct: // ogórek.Dict
		if rv.NumField() > 0 && rv.Field(0).Kind() == reflect.Pointer {
			return identityKey{rv.Type(), rv.Field(0).Pointer()}
		}
	case reflect.Slice, reflect.Map, reflect.Pointer:
		return identityKey{rv.Type(), rv.Pointer()}
	}
	return identityKey{rv.Type(), 0}
}

// listKey and tupleKey are the identities of non-empty lists and tuples:
// the address of their first item, known without reflection.
type (
	listKey  *any
	tupleKey *any
)

type identityKey struct {
	t reflect.Type
	p uintptr
}
