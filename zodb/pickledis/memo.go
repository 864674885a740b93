package pickledis

// Memo is pickletools' emulation of the unpickler's memo: which indices
// are defined, and the kind of object each holds. The zero value is empty.
// A Memo must not be used by two calls at once.
type Memo struct {
	// Indices below denseMemo live in dense (0 for absent, kind+1 for
	// present), as pickler-written memos count from 0 or 1; others in the
	// maps.
	dense []uint8
	small map[int64]stackObj
	big   map[string]stackObj // indices outside int64, by decimal text
	n     int
}

const denseMemo = 1 << 16

func (m *Memo) len() int { return m.n }

func (m *Memo) get(k memoKey) (stackObj, bool) {
	var obj stackObj
	var ok bool
	switch {
	case k.big != "":
		obj, ok = m.big[k.big]
	case 0 <= k.i && k.i < denseMemo:
		if k.i < int64(len(m.dense)) && m.dense[k.i] != 0 {
			obj, ok = stackObj(m.dense[k.i]-1), true
		}
	default:
		obj, ok = m.small[k.i]
	}
	return obj, ok
}

// put stores the kind of the memo's object under a new index.
func (m *Memo) put(k memoKey, obj stackObj) {
	m.n++
	switch {
	case k.big != "":
		if m.big == nil {
			m.big = make(map[string]stackObj)
		}
		m.big[k.big] = obj
	case 0 <= k.i && k.i < denseMemo:
		if k.i >= int64(len(m.dense)) {
			m.dense = append(m.dense, make([]uint8, int(k.i)+1-len(m.dense))...)
		}
		m.dense[k.i] = uint8(obj) + 1
	default:
		if m.small == nil {
			m.small = make(map[int64]stackObj)
		}
		m.small[k.i] = obj
	}
}

// memoKey is a memo index. Python's memo is a dict keyed by the argument
// of PUT/GET, an int or bool, and True == 1, False == 0 as dict keys.
type memoKey struct {
	i   int64
	big string // decimal text when the index is outside int64
}

func (v *value) memoKey() memoKey {
	if v.big != nil {
		return memoKey{big: v.big.String()}
	}
	return memoKey{i: v.i}
}

// memoArgRepr is repr() of a memo opcode's argument: None for MEMOIZE.
func memoArgRepr(arg *value) string {
	b, err := arg.appendRepr(nil)
	if err != nil { // an index past 4300 digits: cannot come from a reader
		return "<int>"
	}
	return string(b)
}
