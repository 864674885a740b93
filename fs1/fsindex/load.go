package fsindex

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/zodbneo/zodbneo/zodb"
)

// Load reads an index in any form Python's fsIndex.load and FileStorage
// accept (see doc.go). A file that is not such an index, or is torn, gives
// an error wrapping zodb.ErrCorrupt.
func Load(r io.Reader) (*Index, error) {
	x, err := load(r)
	if err != nil {
		return nil, fmt.Errorf("fsindex: %w", err)
	}
	return x, nil
}

// LoadFile reads the index saved at path (usually data.fs.index).
func LoadFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fsindex: %w", err) // *PathError names path
	}
	defer f.Close()
	x, err := load(f)
	if err != nil {
		return nil, fmt.Errorf("fsindex: %s: %w", path, err)
	}
	return x, nil
}

func load(r io.Reader) (*Index, error) {
	u := newUnpickler(r)
	first, err := u.load()
	if err == io.EOF {
		return nil, fmt.Errorf("empty file: %w", zodb.ErrCorrupt)
	}
	if err != nil {
		return nil, err
	}
	x := New()
	switch v := first.(type) {
	case int64:
		x.TopPos = v
		err = loadStream(u, x)
	case *pyDict:
		err = loadOld(v, x)
	default:
		err = fmt.Errorf("first pickle is %s, want a position or a dict: %w", typeName(first), zodb.ErrCorrupt)
	}
	if err != nil {
		return nil, err
	}
	if x.TopPos < 0 {
		return nil, fmt.Errorf("negative pos %d: %w", x.TopPos, zodb.ErrCorrupt)
	}
	return x, nil
}

// loadStream reads the (prefix, bucket string) pickles that follow the
// position, up to the closing None.
func loadStream(u *unpickler, x *Index) error {
	for {
		at := u.pos
		v, err := u.load()
		if err == io.EOF {
			return fmt.Errorf("pickle @%d: end of file before the closing None: %w", at, zodb.ErrCorrupt)
		}
		if err != nil {
			return err
		}
		if _, ok := v.(pyNone); ok {
			return nil
		}
		kv, ok := v.(pyTuple)
		if !ok || len(kv) != 2 {
			return fmt.Errorf("pickle @%d: %s, want (prefix, bucket): %w", at, typeName(v), zodb.ErrCorrupt)
		}
		if err := setBucketString(x, kv[0], kv[1]); err != nil {
			return fmt.Errorf("pickle @%d: %w", at, err)
		}
	}
}

// setBucketString adds one saved bucket: suffixes, then positions.
func setBucketString(x *Index, prefix, bucket any) error {
	pfx, err := prefixOf(prefix)
	if err != nil {
		return err
	}
	b, ok := asBytes(bucket)
	if !ok || len(b)%(suffixLen+posLen) != 0 {
		return fmt.Errorf("bucket is %s, want a string of 8-byte entries: %w", typeName(bucket), zodb.ErrCorrupt)
	}
	n := len(b) / (suffixLen + posLen)
	keys, vals := b[:n*suffixLen], b[n*suffixLen:]
	for i := 0; i < n; i++ {
		k := keys[i*suffixLen:]
		v := vals[i*posLen:]
		oid := pfx<<16 | uint64(k[0])<<8 | uint64(k[1])
		x.Set(zodb.Oid(oid), int64(be48(v)))
	}
	return nil
}

// prefixOf decodes a bucket's 6-byte oid prefix.
func prefixOf(v any) (uint64, error) {
	b, ok := asBytes(v)
	if !ok || len(b) != prefixLen {
		return 0, fmt.Errorf("prefix is %s, want 6 bytes: %w", typeName(v), zodb.ErrCorrupt)
	}
	return be48(b), nil
}

func be48(b string) uint64 {
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 |
		uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
}

// asBytes returns a byte string's content. Like Python's ensure_bytes, it
// also takes a str of ASCII characters (py2 strings read as text).
func asBytes(v any) (string, bool) {
	switch v := v.(type) {
	case pyBytes:
		return string(v), true
	case pyStr:
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x80 {
				return "", false
			}
		}
		return string(v), true
	}
	return "", false
}

// typeName names a decoded value's Python type, for error messages.
func typeName(v any) string {
	switch v := v.(type) {
	case pyNone:
		return "None"
	case bool:
		return "a bool"
	case int64:
		return "an int"
	case pyBytes:
		return fmt.Sprintf("%d bytes", len(v))
	case pyStr:
		return "a str"
	case pyTuple:
		return fmt.Sprintf("a %d-tuple", len(v))
	case *pyList:
		return "a list"
	case *pyDict:
		return "a dict"
	case pyGlobal:
		return "class " + v.module + "." + v.name
	case *pyObject:
		return "an instance of " + className(v)
	}
	return fmt.Sprintf("%T", v)
}

// className names the class an object was made from, looking through the
// copy_reg helpers that pickles of new-style instances use.
func className(o *pyObject) string {
	g, ok := realClass(o)
	if !ok {
		return "?"
	}
	return g.module + "." + g.name
}

func realClass(o *pyObject) (pyGlobal, bool) {
	g, ok := o.cls.(pyGlobal)
	if !ok {
		return pyGlobal{}, false
	}
	isCopyreg := g.module == "copy_reg" || g.module == "copyreg"
	if isCopyreg && (g.name == "_reconstructor" || g.name == "__newobj__") && len(o.args) > 0 {
		inner, ok := o.args[0].(pyGlobal)
		return inner, ok
	}
	return g, true
}

// isBucketClass tells buckets from trees among BTrees classes.
func isBucketClass(g pyGlobal) bool {
	return strings.HasSuffix(g.name, "Bucket")
}
