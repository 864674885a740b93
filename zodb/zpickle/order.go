package zpickle

import (
	"cmp"
	"math"
	"math/big"
	"slices"

	ogórek "github.com/kisielk/og-rek"
)

// The order Repr gives dict keys and set items. Python leaves mixed-type
// order undefined and keeps dicts in insertion order, which a pickle of a
// dict does not always preserve; a person reading a state wants the same
// text every time, and numbers in numeric order.

type item struct {
	key, val any
	repr     string // the key's Repr, for keys compareKeys may not tell apart
}

// KeyRank is the kind of a decoded key, in the order kinds sort: None,
// numbers, text (py3 str, and py2 str holding ASCII), bytes, tuples, other.
// Repr orders dict keys by it; mount/objgraph orders BTree keys by it.
type KeyRank int

// Kinds of keys, in the order they sort.
const (
	RankNone KeyRank = iota
	RankNumber
	RankStr
	RankBytes
	RankTuple
	RankOther
)

// RankOf returns the kind of a decoded key.
func RankOf(v any) KeyRank {
	switch x := v.(type) {
	case nil, ogórek.None:
		return RankNone
	case bool, int64, *big.Int, float64:
		return RankNumber
	case string:
		return RankStr
	case ogórek.ByteString:
		if isASCII(string(x)) {
			return RankStr
		}
		return RankBytes
	case ogórek.Bytes:
		return RankBytes
	case ogórek.Tuple:
		return RankTuple
	}
	return RankOther
}

// Bounds on the work of sorting, for the tuples a pickle can share
// exponentially many times over: compareKeys takes at most sortSteps steps
// in all, after which keys compare by the first sortReprLen bytes of text.
const (
	sortSteps   = 1 << 20
	sortReprLen = 256
)

func (p *printer) sortItems(items []item, depth int) {
	for i := range items {
		if r := RankOf(items[i].key); r == RankTuple || r == RankOther {
			sub := p.sub(sortReprLen)
			sub.value(items[i].key, depth+1)
			items[i].repr = string(sub.b)
		}
	}
	steps := sortSteps
	slices.SortFunc(items, func(a, b item) int {
		if c := compareKeys(a.key, b.key, &steps); c != 0 {
			return c
		}
		return cmp.Compare(a.repr, b.repr)
	})
}

// compareKeys orders two keys by kind, then by value within a kind; keys
// it cannot order, or that it has no steps left for, compare equal and
// fall back to their text.
func compareKeys(a, b any, steps *int) int {
	if *steps <= 0 {
		return 0
	}
	*steps--
	ra, rb := RankOf(a), RankOf(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case RankNumber:
		return compareNumbers(a, b)
	case RankStr, RankBytes:
		sa, _ := asBytes(a)
		sb, _ := asBytes(b)
		return cmp.Compare(sa, sb)
	case RankTuple:
		ta, tb := a.(ogórek.Tuple), b.(ogórek.Tuple)
		for i := 0; i < len(ta) && i < len(tb); i++ {
			if c := compareKeys(ta[i], tb[i], steps); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(ta), len(tb))
	}
	return 0
}

// compareNumbers orders bools, ints, longs and floats by value; NaN goes
// last.
func compareNumbers(a, b any) int {
	ia, aok := a.(int64)
	ib, bok := b.(int64)
	if aok && bok {
		return cmp.Compare(ia, ib)
	}
	fa, fb := bigFloat(a), bigFloat(b)
	switch {
	case fa == nil && fb == nil:
		return 0
	case fa == nil:
		return 1
	case fb == nil:
		return -1
	}
	return fa.Cmp(fb)
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
