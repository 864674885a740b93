package tools

import (
	"bytes"
	"math/big"
	"reflect"

	ogórek "github.com/kisielk/og-rek"
)

// extCmp compares transaction extensions as zodbtools' cmp does: Python
// compares txn.extension, the dict ZODB unpickles from the raw bytes, so
// two pickles of one dict — another protocol, another memo — are equal.
type extCmp struct{}

// equal reports whether extensions a and b unpickle to equal dicts. Equal
// bytes are equal; an extension that does not unpickle (Python would fail)
// equals only the same bytes.
func (extCmp) equal(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	va, okA := unpickleExt(a)
	vb, okB := unpickleExt(b)
	return okA && okB && pyEqual(va, vb)
}

// unpickleExt decodes an extension as ZODB's loads does, an empty one
// being an empty dict.
func unpickleExt(ext []byte) (any, bool) {
	if len(ext) == 0 {
		return ogórek.NewDict(), true
	}
	dec := ogórek.NewDecoderWithConfig(bytes.NewReader(ext),
		&ogórek.DecoderConfig{PyDict: true, StrictUnicode: true})
	v, err := dec.Decode()
	return v, err == nil
}

// pyEqual is Python's == over the values og-rek decodes: numbers equal
// across int, float and bool, a Python 2 str equals str and bytes of the
// same content, tuples and lists elementwise, dicts by key lookup.
// Anything else is compared by Go's deep equality.
func pyEqual(a, b any) bool {
	switch a := a.(type) {
	case ogórek.Dict:
		b, ok := b.(ogórek.Dict)
		if !ok || a.Len() != b.Len() {
			return false
		}
		equal := true
		a.Iter()(func(k, va any) bool {
			vb, ok := b.Get_(k)
			equal = ok && pyEqual(va, vb)
			return equal
		})
		return equal
	case ogórek.Tuple:
		b, ok := b.(ogórek.Tuple)
		return ok && seqEqual(a, b)
	case []any:
		b, ok := b.([]any)
		return ok && seqEqual(a, b)
	}
	if isPyScalar(a) && isPyScalar(b) {
		// og-rek's Dict holds Python's equality of hashable values
		d := ogórek.NewDict()
		d.Set(a, true)
		_, ok := d.Get_(b)
		return ok
	}
	return reflect.DeepEqual(a, b)
}

func seqEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !pyEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func isPyScalar(v any) bool {
	switch v.(type) {
	case nil, ogórek.None, bool, int64, *big.Int, float64, string, ogórek.ByteString, ogórek.Bytes:
		return true
	}
	return false
}
