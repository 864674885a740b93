package zpickle

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	ogórek "github.com/kisielk/og-rek"
)

// ClassOf returns the module and class name of the object a record holds,
// exactly as ZODB.utils.get_pickle_metadata returns them: fsdump prints
// "class=module.name" and zodb analyze groups records by it.
//
// Like get_pickle_metadata, it reads a class pickle that starts with GLOBAL
// (after PROTO, and after MARK for the tuple of protocol 1) straight from
// the GLOBAL's two lines, without decoding anything. Any other record is
// decoded, and then:
//
//   - a pickle Python could not load (one with a persistent reference or a
//     non-ASCII Python 2 str in it, or an undecodable one) gives "", "";
//   - a tuple ((module, name), args) gives module and name;
//   - another 2-tuple (x, y) gives the text of x and of y (for a class,
//     "<class 'module.Name'>" and, for a None y, "None");
//   - anything else gives its repr and "".
//
// Where get_pickle_metadata raises (an empty record, a GLOBAL without two
// lines, names that are not UTF-8, a tuple of another size), ClassOf returns
// an error marked with zodb.ErrCorrupt.
//
// ClassOf is called on every record by fsdump and analyze: for a GLOBAL it
// allocates nothing once it has seen the class.
func ClassOf(data []byte) (module, name string, err error) {
	if len(data) == 0 {
		return "", "", corrupt(errors.New("class pickle: empty record"))
	}
	d := data
	if d[0] == opProto {
		d = d[min(2, len(d)):]
	}
	prefix := 0
	switch {
	case len(d) >= 2 && d[0] == opMark && d[1] == opGlobal:
		prefix = 2
	case len(d) >= 1 && d[0] == opGlobal:
		prefix = 1
	default:
		return classFallback(d)
	}
	i := bytes.IndexByte(d, '\n')
	j := -1
	if i >= 0 {
		j = bytes.IndexByte(d[i+1:], '\n')
	}
	if j < 0 {
		return "", "", corrupt(errors.New("class pickle: GLOBAL without module and name lines"))
	}
	return globalNames(d[prefix:i+1+j], i-prefix)
}

// classNames are the strings of one class, kept so that the many records of
// one class share them.
type classNames struct{ module, name string }

var classCache struct {
	sync.RWMutex
	m map[string]classNames // "module\nname" → its strings
}

// classCacheMax bounds the cache: a database has some hundreds of classes;
// records of thousands of distinct made-up classes get fresh strings.
const classCacheMax = 4096

// globalNames splits "module\nname" at nl, checking both are UTF-8 as
// Python's bytes.decode() does.
func globalNames(line []byte, nl int) (string, string, error) {
	classCache.RLock()
	c, ok := classCache.m[string(line)]
	classCache.RUnlock()
	if ok {
		return c.module, c.name, nil
	}
	if !utf8.Valid(line) {
		return "", "", corrupt(fmt.Errorf("class pickle: class name %q is not UTF-8", line))
	}
	s := string(line)
	c = classNames{module: s[:nl], name: s[nl+1:]}
	classCache.Lock()
	if classCache.m == nil {
		classCache.m = make(map[string]classNames)
	}
	if len(classCache.m) < classCacheMax {
		classCache.m[s] = c
	}
	classCache.Unlock()
	return c.module, c.name, nil
}

// classFallback is get_pickle_metadata for a class pickle that does not
// start with GLOBAL: Python unpickles it with no persistent load and
// ASCII-only Python 2 strings, and looks at what it gets.
func classFallback(d []byte) (string, string, error) {
	if !plainLoadable(d) {
		return "", "", nil
	}
	v, err := decodeOne(d)
	if err != nil {
		return "", "", nil
	}
	t, ok := v.(ogórek.Tuple)
	if !ok {
		return Repr(v), "", nil
	}
	if len(t) > 0 {
		if inner, ok := t[0].(ogórek.Tuple); ok {
			t = inner // ((module, name), args)
		}
	}
	if len(t) != 2 {
		return "", "", corrupt(fmt.Errorf("class pickle: tuple of %d items, not 2", len(t)))
	}
	return pyStr(t[0]), pyStr(t[1]), nil
}

// plainLoadable reports whether Python's Unpickler, without a persistent
// load and with its default ASCII decoding of Python 2 str, could load the
// pickle at the start of d.
func plainLoadable(d []byte) bool {
	for pos := 0; ; {
		o, next, err := nextOp(d, pos)
		if err != nil {
			return false
		}
		switch o.code {
		case opPersid, opBinpersid:
			return false
		case 'T', 'U': // BINSTRING, SHORT_BINSTRING
			if !isASCII(string(o.arg)) {
				return false
			}
		case opStop:
			return true
		}
		pos = next
	}
}

// pyStr is Python's str(v): text as it is, anything else as its repr.
func pyStr(v any) string {
	if s, ok := asString(v); ok {
		return s
	}
	return Repr(v)
}
