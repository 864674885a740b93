package objgraph

import (
	"cmp"
	"math"
	"math/big"
	"slices"
	"strings"

	ogórek "github.com/kisielk/og-rek"

	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// Two orders of keys. A BTree keeps its keys in Python's order, which
// compareKeys follows where Python 3 defines it; finding a key in a tree
// relies on it. A dict's keys are listed sorted by sortKeys, an order of
// our own: a pickle does not always keep a dict's insertion order, and a
// person wants the same listing every time, numbers by value.

// Bounds on compareKeys: the nesting of tuples it follows, and the
// values it compares in all (two tuples that share one huge value through
// a pickle's memo hold exponentially many).
const (
	compareDepth = 32
	compareSteps = 1 << 10 // for one comparison
	sortSteps    = 1 << 22 // for all the comparisons of one sort
)

// compareKeys orders two keys as Python compares them in a BTree, and
// reports false where it does not know the order: NaN, keys of types
// Python 3 cannot compare with each other (only None, which BTrees put
// first, and numbers, which Python 2 put before every other type, have a
// known place among other types), objects, deep or huge tuples.
func compareKeys(a, b any) (int, bool) {
	steps := compareSteps
	return compareDepthKeys(a, b, 0, &steps)
}

// compareKeysSteps is compareKeys spending from steps, shared by the
// comparisons of a sort.
func compareKeysSteps(a, b any, steps *int) (int, bool) {
	s := min(*steps, compareSteps)
	c, ok := compareDepthKeys(a, b, 0, &s)
	*steps -= min(*steps, compareSteps) - s
	return c, ok
}

func compareDepthKeys(a, b any, depth int, steps *int) (int, bool) {
	if *steps--; *steps < 0 {
		return 0, false
	}
	ra, rb := zpickle.RankOf(a), zpickle.RankOf(b)
	if ra != rb {
		if ra <= zpickle.RankNumber || rb <= zpickle.RankNumber {
			return cmp.Compare(ra, rb), true
		}
		return 0, false
	}
	switch ra {
	case zpickle.RankNone:
		return 0, true
	case zpickle.RankNumber:
		return compareNumbers(a, b)
	case zpickle.RankStr, zpickle.RankBytes:
		return strings.Compare(bytesOf(a), bytesOf(b)), true
	case zpickle.RankTuple:
		if depth >= compareDepth {
			return 0, false
		}
		ta, tb := a.(ogórek.Tuple), b.(ogórek.Tuple)
		for i := 0; i < len(ta) && i < len(tb); i++ {
			if c, ok := compareDepthKeys(ta[i], tb[i], depth+1, steps); c != 0 || !ok {
				return c, ok
			}
		}
		return cmp.Compare(len(ta), len(tb)), true
	}
	return 0, false
}

// compareNumbers orders bools, ints, longs and floats by value; NaN has no
// order.
func compareNumbers(a, b any) (int, bool) {
	ia, aok := a.(int64)
	ib, bok := b.(int64)
	if aok && bok {
		return cmp.Compare(ia, ib), true
	}
	fa, fb := bigFloat(a), bigFloat(b)
	if fa == nil || fb == nil {
		return 0, false
	}
	return fa.Cmp(fb), true
}

// bigFloat returns a number exactly as a big.Float, or nil for NaN.
func bigFloat(v any) *big.Float {
	switch x := v.(type) {
	case bool:
		if x {
			return big.NewFloat(1)
		}
		return big.NewFloat(0)
	case int64:
		return new(big.Float).SetInt64(x)
	case *big.Int:
		return new(big.Float).SetInt(x)
	case float64:
		if math.IsNaN(x) {
			return nil
		}
		return big.NewFloat(x)
	}
	return nil
}

// bytesOf returns the bytes of a str or bytes key.
func bytesOf(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case ogórek.ByteString:
		return string(s)
	case ogórek.Bytes:
		return string(s)
	}
	return ""
}

// kv is one item of a container: a dict's key and value, a set's item as
// key and value, a list's index and item.
type kv struct{ k, v any }

// sortItems sorts a dict's or set's items for a listing: by kind of key
// (None, numbers, text, bytes, tuples, others), by value within a kind,
// and where compareKeys knows no order (NaN, objects) by the keys' natural
// names, then by the values' text: the order does not depend on the order
// og-rek's dict happens to give.
func sortItems(items []kv, bud *budget) {
	type keyed struct {
		kv
		name, val    string // natural name and value text, made when a tie needs them
		named, shown bool
	}
	ks := make([]*keyed, len(items))
	for i, it := range items {
		ks[i] = &keyed{kv: it}
	}
	name := func(x *keyed) string {
		if !x.named {
			x.name, x.named = naturalName(x.k, bud), true
		}
		return x.name
	}
	val := func(x *keyed) string {
		if !x.shown {
			x.val, x.shown = oneLine(x.v, nameReprMax, bud), true
		}
		return x.val
	}
	steps := sortSteps
	slices.SortFunc(ks, func(x, y *keyed) int {
		if rx, ry := zpickle.RankOf(x.k), zpickle.RankOf(y.k); rx != ry {
			return cmp.Compare(rx, ry)
		}
		if c, ok := compareKeysSteps(x.k, y.k, &steps); ok && c != 0 {
			return c
		}
		if c := strings.Compare(name(x), name(y)); c != 0 {
			return c
		}
		return strings.Compare(val(x), val(y))
	})
	for i := range ks {
		items[i] = ks[i].kv
	}
}
