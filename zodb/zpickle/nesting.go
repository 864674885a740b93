package zpickle

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// maxNesting bounds how deep values nest in a pickle we decode. og-rek
// hashes and compares tuples recursively, so a few megabytes of TUPLE1
// opcodes would otherwise overflow the goroutine stack, which Go cannot
// recover from. Python's pickler recurses too and, under its default
// recursion limit of 1000, writes nothing deeper than 1000 levels.
const maxNesting = 10000

// nesting follows how deep the values on a pickle's stack nest, by running
// the pickle's stack effects on their depths alone: a scalar is 0, a
// container one more than what it holds. It gives up quietly on a stack
// that goes wrong: og-rek then says what is wrong.
type nesting struct {
	stack []int32 // depths; mark for a MARK
	memo  map[int64]int32
	lost  bool
}

const mark = -1

func (n *nesting) push(d int32) error {
	if d > maxNesting {
		return fmt.Errorf("values nest deeper than %d levels", maxNesting)
	}
	n.stack = append(n.stack, d)
	return nil
}

// pop removes k values and returns the deepest, or -2 if there are fewer.
func (n *nesting) pop(k int) int32 {
	if len(n.stack) < k {
		return -2
	}
	d := int32(0)
	for _, x := range n.stack[len(n.stack)-k:] {
		if x == mark {
			return -2
		}
		d = max(d, x)
	}
	n.stack = n.stack[:len(n.stack)-k]
	return d
}

// popMark removes the values above the topmost mark, and the mark.
func (n *nesting) popMark() int32 {
	for i := len(n.stack) - 1; i >= 0; i-- {
		if n.stack[i] == mark {
			d := n.pop(len(n.stack) - 1 - i)
			n.stack = n.stack[:i]
			return d
		}
	}
	return -2
}

// into adds a value of depth d to the container on top of the stack.
func (n *nesting) into(d int32) error {
	if d < 0 || len(n.stack) == 0 || n.stack[len(n.stack)-1] == mark {
		n.lost = true
		return nil
	}
	top := &n.stack[len(n.stack)-1]
	*top = max(*top, d+1)
	if *top > maxNesting {
		return fmt.Errorf("values nest deeper than %d levels", maxNesting)
	}
	return nil
}

// wrap pushes a container of what popped returned.
func (n *nesting) wrap(d int32) error {
	if d < 0 {
		n.lost = true
		return nil
	}
	return n.push(d + 1)
}

func (n *nesting) op(o op) error {
	if n.lost {
		return nil
	}
	switch o.code {
	case '(':
		n.stack = append(n.stack, mark)
	case '.', 0x80, 0x95, 0x98:
	case ']', ')', '}', 0x8f:
		return n.push(1)
	case '0':
		n.lost = n.pop(1) < 0
	case '1':
		n.lost = n.popMark() < 0
	case '2':
		if len(n.stack) == 0 {
			n.lost = true
			return nil
		}
		return n.push(n.stack[len(n.stack)-1])
	case 't', 'l', 'd', 0x91, 'o':
		return n.wrap(n.popMark())
	case 'i':
		return n.wrap(n.popMark())
	case 0x85:
		return n.wrap(n.pop(1))
	case 0x86, 'R', 0x81:
		return n.wrap(n.pop(2))
	case 0x87, 0x92:
		return n.wrap(n.pop(3))
	case 'a', 'b':
		return n.into(n.pop(1))
	case 's':
		return n.into(n.pop(2))
	case 'e', 'u', 0x90:
		return n.into(n.popMark())
	case 'Q':
		n.lost = n.pop(1) < 0
		return n.push(0)
	case 0x93:
		n.lost = n.pop(2) < 0
		return n.push(0)
	case 'p', 'q', 'r', 0x94:
		n.put(o)
	case 'g', 'h', 'j':
		return n.get(o)
	default: // everything else pushes a scalar
		return n.push(0)
	}
	return nil
}

func (n *nesting) put(o op) {
	if len(n.stack) == 0 || n.stack[len(n.stack)-1] == mark {
		n.lost = true
		return
	}
	if n.memo == nil {
		n.memo = make(map[int64]int32)
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
