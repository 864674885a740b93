package zpickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on the shape of the values of a pickle we decode with og-rek,
// which hashes and compares dict keys recursively:
//
//   - maxNesting bounds how deep values nest: a few megabytes of TUPLE1
//     opcodes would otherwise overflow the goroutine stack, which Go cannot
//     recover from. Python's pickler recurses too and, under its default
//     recursion limit of 1000, writes nothing deeper than 1000 levels.
//   - hashBudget bounds the sum of the sizes of all dict keys of a record,
//     by its length: a key made of one tuple twice, n times over (DUP,
//     TUPLE2), takes a few bytes to write and 2**n steps to hash. og-rek
//     takes some 30 ns a step.
const (
	maxNesting     = 10000
	hashBudgetBase = 1 << 20
	hashBudgetByte = 16
)

// shape is what nesting knows of a value: how deep it nests (a scalar is
// 0, a container one more than what it holds), and how many values
// hashing it visits (og-rek stops at lists, dicts and objects).
type shape struct {
	depth int32
	size  int64
}

// nesting follows the shape of the values on a pickle's stack by running
// the pickle's stack effects on their shapes alone. It gives up quietly on
// a stack that goes wrong: og-rek then says what is wrong.
type nesting struct {
	stack    []shape // mark for a MARK
	memo     map[int64]shape
	hashWork int64 // left of the budget
	lost     bool
}

// newNesting follows the pickles of a record of n bytes.
func newNesting(n int) nesting {
	return nesting{hashWork: hashBudgetBase + hashBudgetByte*int64(n)}
}

var mark = shape{depth: -1}

// sizeCap keeps sizes from overflowing: anything this big is over every
// bound.
const sizeCap = 1 << 40

func (n *nesting) push(v shape) error {
	if v.depth > maxNesting {
		return fmt.Errorf("values nest deeper than %d levels", maxNesting)
	}
	n.stack = append(n.stack, v)
	return nil
}

// popped is the values an opcode takes from the stack.
type popped struct {
	vals []shape // valid until the next push
	ok   bool    // false: there were fewer, or a mark among them
}

// deepest is the greatest depth of the values.
func (p popped) deepest() int32 {
	d := int32(0)
	for _, v := range p.vals {
		d = max(d, v.depth)
	}
	return d
}

// size is how many values hashing a tuple of them visits.
func (p popped) size() int64 {
	s := int64(1)
	for _, v := range p.vals {
		s = min(s+v.size, sizeCap)
	}
	return s
}

// pop removes k values.
func (n *nesting) pop(k int) popped {
	if len(n.stack) < k {
		return popped{}
	}
	vals := n.stack[len(n.stack)-k:]
	for _, x := range vals {
		if x == mark {
			return popped{}
		}
	}
	n.stack = n.stack[:len(n.stack)-k]
	return popped{vals: vals, ok: true}
}

// popMark removes the values above the topmost mark, and the mark.
func (n *nesting) popMark() popped {
	for i := len(n.stack) - 1; i >= 0; i-- {
		if n.stack[i] == mark {
			p := n.pop(len(n.stack) - 1 - i)
			n.stack = n.stack[:i]
			return p
		}
	}
	return popped{}
}

// into adds values to the container on top of the stack; with keys, every
// other one, from the first, is a dict key og-rek hashes.
func (n *nesting) into(p popped, keys bool) error {
	if !p.ok || len(n.stack) == 0 || n.stack[len(n.stack)-1] == mark {
		n.lost = true
		return nil
	}
	top := &n.stack[len(n.stack)-1]
	top.depth = max(top.depth, p.deepest()+1)
	if top.depth > maxNesting {
		return fmt.Errorf("values nest deeper than %d levels", maxNesting)
	}
	if keys {
		return n.hashKeys(p.vals)
	}
	return nil
}

// hashKeys counts the work of hashing the keys among key, value pairs.
func (n *nesting) hashKeys(kv []shape) error {
	for i := 0; i < len(kv); i += 2 {
		n.hashWork -= kv[i].size
	}
	if n.hashWork < 0 {
		return errors.New("dict keys too large to hash")
	}
	return nil
}

// wrap pushes what an opcode makes of the values it popped: a container
// (the size counts only when og-rek hashes into it: tuples, calls).
func (n *nesting) wrap(p popped, hashed bool) error {
	if !p.ok {
		n.lost = true
		return nil
	}
	v := shape{depth: p.deepest() + 1, size: 1}
	if hashed {
		v.size = p.size()
	}
	return n.push(v)
}

func (n *nesting) op(o op) error {
	if n.lost {
		return nil
	}
	scalar := shape{size: 1}
	switch o.code {
	case '(':
		n.stack = append(n.stack, mark)
	case '.', 0x80, 0x95, 0x98:
	case ']', '}', 0x8f:
		return n.push(shape{depth: 1, size: 1})
	case ')':
		return n.push(shape{depth: 1, size: 1})
	case '0':
		n.lost = !n.pop(1).ok
	case '1':
		n.lost = !n.popMark().ok
	case '2':
		if len(n.stack) == 0 {
			n.lost = true
			return nil
		}
		return n.push(n.stack[len(n.stack)-1])
	case 't':
		return n.wrap(n.popMark(), true)
	case 'l', 0x91, 'o', 'i':
		return n.wrap(n.popMark(), false)
	case 'd':
		p := n.popMark()
		if err := n.wrap(p, false); err != nil || !p.ok {
			return err
		}
		return n.hashKeys(p.vals)
	case 0x85:
		return n.wrap(n.pop(1), true)
	case 0x86, 'R':
		return n.wrap(n.pop(2), true)
	case 0x81:
		return n.wrap(n.pop(2), false)
	case 0x87:
		return n.wrap(n.pop(3), true)
	case 0x92:
		return n.wrap(n.pop(3), false)
	case 'a', 'b':
		return n.into(n.pop(1), false)
	case 's':
		return n.into(n.pop(2), true)
	case 'u':
		return n.into(n.popMark(), true)
	case 'e', 0x90:
		return n.into(n.popMark(), false)
	case 'Q':
		n.lost = !n.pop(1).ok
		return n.push(scalar)
	case 0x93:
		n.lost = !n.pop(2).ok
		return n.push(scalar)
	case 'p', 'q', 'r', 0x94:
		n.put(o)
	case 'g', 'h', 'j':
		return n.get(o)
	default: // everything else pushes a scalar
		return n.push(scalar)
	}
	return nil
}

func (n *nesting) put(o op) {
	if len(n.stack) == 0 || n.stack[len(n.stack)-1] == mark {
		n.lost = true
		return
	}
	if n.memo == nil {
		n.memo = make(map[int64]shape)
	}
	i := int64(len(n.memo)) // MEMOIZE
	if o.code != 0x94 {
		i = memoIndex(o)
	}
	n.memo[i] = n.stack[len(n.stack)-1]
}

func (n *nesting) get(o op) error {
	d, ok := n.memo[memoIndex(o)]
	if !ok {
		n.lost = true
		return nil
	}
	return n.push(d)
}

// memoIndex is the memo index of a PUT or GET opcode, or -1.
func memoIndex(o op) int64 {
	switch o.code {
	case 'q', 'h':
		return int64(o.arg[0])
	case 'r', 'j':
		return int64(binary.LittleEndian.Uint32(o.arg))
	}
	i, err := strconv.ParseInt(strings.TrimSpace(string(o.arg)), 10, 64)
	if err != nil {
		return -1
	}
	return i
}
