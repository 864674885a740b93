package zpickle

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"unicode/utf8"

	ogórek "github.com/kisielk/og-rek"
)

// Limits that keep Repr finite on hostile input: a pickle of a few bytes
// can share one value many times over through its memo and so describe a
// text of exponential size, or nest values deeper than a stack should go.
const (
	reprMaxLen   = 16 << 20 // bytes of text; the rest is cut and "..." ends it
	reprMaxDepth = 200      // nesting; deeper values show as "..."
	reprMaxSteps = 4 << 20  // values visited, sorting included; then "..."
)

// Repr returns a readable, Python-repr-like text of a value Decode
// returned, for showing an object's state to a person. It is
// deterministic: dict keys and set items are sorted (numbers by value,
// strings by code point, then by text). It writes:
//
//	str 'x'  bytes b'x'  bytearray(b'x')  None  True  12  1.5  (1+2j)
//	(1,)  [1, 2]  {'k': v}  {1, 2}  frozenset({1})
//	<class 'module.Name'>                  a class
//	module.Name(args)                      a call the pickle makes (REDUCE)
//	<module.Name object args=() state=v>   an instance (NEWOBJ, BUILD...)
//	<ref oid=0x1 class=module.Name>        a persistent reference
//
// A Python 2 str shows as ZODB's reader returns it under Python 3: str if
// it is ASCII, bytes otherwise. A dict or instance inside itself shows as
// {...} or <...>, as Python shows it.
func Repr(v any) string { return reprLimit(v, reprMaxLen) }

// reprLimit is Repr cut at limit bytes.
func reprLimit(v any, limit int) string {
	steps := reprMaxSteps
	p := printer{active: map[any]bool{}, limit: limit, steps: &steps}
	p.value(v, 0)
	if len(p.b) > limit {
		n := limit
		for n > 0 && !utf8.RuneStart(p.b[n]) {
			n--
		}
		p.b = append(p.b[:n], "..."...)
	}
	return string(p.b)
}

type printer struct {
	b      []byte
	limit  int
	active map[any]bool // identities of the dicts, sets and objects being printed
	steps  *int         // values left to visit, shared with sub-printers
}

// sub returns a printer of limit bytes for text within p's work: the text
// of keys to sort them by.
func (p *printer) sub(limit int) *printer {
	return &printer{limit: limit, active: p.active, steps: p.steps}
}

// full reports whether the text is over its limit: it is cut there, so
// writing more is wasted work.
func (p *printer) full() bool { return len(p.b) > p.limit || *p.steps < 0 }

func (p *printer) value(v any, depth int) {
	if p.full() {
		return
	}
	*p.steps--
	if depth > reprMaxDepth || *p.steps < 0 { // out of steps: the last text written
		p.b = append(p.b, "..."...)
		return
	}
	switch x := v.(type) {
	case nil, ogórek.None:
		p.b = append(p.b, "None"...)
	case bool:
		if x {
			p.b = append(p.b, "True"...)
		} else {
			p.b = append(p.b, "False"...)
		}
	case int64:
		p.b = strconv.AppendInt(p.b, x, 10)
	case *big.Int:
		p.b = x.Append(p.b, 10)
	case float64:
		p.b = pyquote.AppendFloatRepr(p.b, x, true)
	case string:
		p.b = appendStrRepr(p.b, x)
	case ogórek.Bytes:
		p.b = pyquote.AppendBytesRepr(p.b, []byte(x))
	case ogórek.ByteString:
		if isASCII(string(x)) {
			p.b = appendStrRepr(p.b, string(x))
		} else {
			p.b = pyquote.AppendBytesRepr(p.b, []byte(x))
		}
	case []byte:
		p.b = append(p.b, "bytearray("...)
		p.b = pyquote.AppendBytesRepr(p.b, x)
		p.b = append(p.b, ')')
	case ogórek.Tuple:
		p.seq("(", x, ")", depth)
		if len(x) == 1 {
			p.b = append(p.b[:len(p.b)-1], ",)"...)
		}
	case []any:
		p.seq("[", x, "]", depth)
	case ogórek.Dict:
		p.dict(dictIdentity(x), x.Len(), x.Iter(), depth)
	case map[any]any:
		p.dict(reflect.ValueOf(x).Pointer(), len(x), func(yield func(any, any) bool) {
			for k, v := range x {
				if !yield(k, v) {
					return
				}
			}
		}, depth)
	case ogórek.Class:
		p.b = append(p.b, "<class '"...)
		p.b = append(p.b, pyClassName(x)...)
		p.b = append(p.b, "'>"...)
	case ogórek.Call:
		p.call(x, depth)
	case Ref:
		p.ref(x)
	case *Object:
		p.object(x, depth)
	default:
		p.b = fmt.Appendf(p.b, "%#v", v)
	}
}

func (p *printer) seq(open string, items []any, close string, depth int) {
	p.b = append(p.b, open...)
	for i, it := range items {
		if i > 0 {
			p.b = append(p.b, ", "...)
		}
		p.value(it, depth+1)
		if p.full() {
			return
		}
	}
	p.b = append(p.b, close...)
}

func (p *printer) dict(id uintptr, n int, iter func(func(any, any) bool), depth int) {
	key := dictKey(id)
	if p.active[key] {
		p.b = append(p.b, "{...}"...)
		return
	}
	p.active[key] = true
	defer delete(p.active, key)

	items := make([]item, 0, n)
	iter(func(k, v any) bool {
		items = append(items, item{key: k, val: v})
		return true
	})
	p.sortItems(items, depth)
	p.b = append(p.b, '{')
	for i, it := range items {
		if i > 0 {
			p.b = append(p.b, ", "...)
		}
		p.value(it.key, depth+1)
		p.b = append(p.b, ": "...)
		p.value(it.val, depth+1)
		if p.full() {
			return
		}
	}
	p.b = append(p.b, '}')
}

// dictKey is the identity of a dict in printer.active.
type dictKey uintptr

// dictIdentity returns the address of the table behind an ogórek.Dict: a
// Dict is a handle, and copies of it share that table.
func dictIdentity(d ogórek.Dict) uintptr {
	f := reflect.ValueOf(d).Field(0)
	if f.Kind() != reflect.Pointer {
		return 0
	}
	return f.Pointer()
}

func (p *printer) call(c ogórek.Call, depth int) {
	switch m := c.Callable.Module; {
	case (m == "builtins" || m == "__builtin__") && len(c.Args) == 1:
		if items, ok := c.Args[0].([]any); ok {
			switch c.Callable.Name {
			case "set":
				p.set("", c.Args, items, depth)
				return
			case "frozenset":
				p.set("frozenset", c.Args, items, depth)
				return
			}
		}
	case (m == "builtins" || m == "__builtin__") && c.Callable.Name == "complex" && len(c.Args) == 2:
		re, ok1 := c.Args[0].(float64)
		im, ok2 := c.Args[1].(float64)
		if ok1 && ok2 {
			p.b = appendComplexRepr(p.b, re, im)
			return
		}
	}
	p.b = append(p.b, c.Callable.Module...)
	p.b = append(p.b, '.')
	p.b = append(p.b, c.Callable.Name...)
	p.seq("(", c.Args, ")", depth)
}

// setKey is the identity of a set in printer.active: the arguments of its
// call, which ADDITEMS updates in place.
type setKey uintptr

// set writes a set as Python does: {1, 2}, set(), frozenset({1}). A set
// that holds itself (no Python set can, but a pickle can say so) shows as
// {...}.
func (p *printer) set(name string, args ogórek.Tuple, elems []any, depth int) {
	key := setKey(reflect.ValueOf(args).Pointer())
	if p.active[key] {
		p.b = append(p.b, "{...}"...)
		return
	}
	p.active[key] = true
	defer delete(p.active, key)

	if len(elems) == 0 {
		if name == "" {
			name = "set"
		}
		p.b = append(p.b, name...)
		p.b = append(p.b, "()"...)
		return
	}
	items := make([]item, len(elems))
	for i, e := range elems {
		items[i].key = e
	}
	p.sortItems(items, depth)
	sorted := make([]any, len(items))
	for i, it := range items {
		sorted[i] = it.key
	}
	if name != "" {
		p.b = append(p.b, name...)
		p.b = append(p.b, '(')
	}
	p.seq("{", sorted, "}", depth)
	if name != "" {
		p.b = append(p.b, ')')
	}
}

func (p *printer) ref(r Ref) {
	if r.Weak {
		p.b = append(p.b, "<weakref"...)
	} else {
		p.b = append(p.b, "<ref"...)
	}
	if r.Database != "" {
		p.b = append(p.b, " db="...)
		p.b = append(p.b, r.Database...)
	}
	p.b = append(p.b, " oid=0x"...)
	p.b = strconv.AppendUint(p.b, uint64(r.Oid), 16)
	if r.Class != "" {
		p.b = append(p.b, " class="...)
		p.b = append(p.b, r.Class...)
	}
	p.b = append(p.b, '>')
}

func (p *printer) object(o *Object, depth int) {
	if p.active[o] {
		p.b = append(p.b, "<...>"...)
		return
	}
	p.active[o] = true
	defer delete(p.active, o)

	p.b = append(p.b, '<')
	switch c := o.Class.(type) {
	case ogórek.Class:
		p.b = append(p.b, c.Module...)
		p.b = append(p.b, '.')
		p.b = append(p.b, c.Name...)
	default:
		p.value(c, depth+1)
	}
	p.b = append(p.b, " object"...)
	if len(o.Args) > 0 {
		p.b = append(p.b, " args="...)
		p.value(o.Args, depth+1)
	}
	if o.Kwargs != nil {
		p.b = append(p.b, " kwargs="...)
		p.value(o.Kwargs, depth+1)
	}
	if o.State != nil {
		p.b = append(p.b, " state="...)
		p.value(o.State, depth+1)
	}
	p.b = append(p.b, '>')
}

// pyClassName is the name Python's repr gives a class: builtins go bare.
func pyClassName(c ogórek.Class) string {
	if c.Module == "builtins" || c.Module == "__builtin__" {
		return c.Name
	}
	return c.Module + "." + c.Name
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
