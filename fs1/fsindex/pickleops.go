package fsindex

// exec runs one opcode of the unpickler; at is its offset, for errors.
func (u *unpickler) exec(op byte, at int64) error {
	switch op {
	case opProto:
		p, err := u.byte()
		if err != nil {
			return err
		}
		if p > 5 {
			return corruptf(at, "unsupported pickle protocol %d", p)
		}
	case opFrame:
		// Protocol 4 framing only groups opcodes: read through it.
		if _, err := u.uint(8); err != nil {
			return err
		}
	case opMark:
		u.marks = append(u.marks, len(u.stack))
	case opPop:
		if len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack) {
			u.marks = u.marks[:len(u.marks)-1] // POP of a MARK
			return nil
		}
		_, err := u.pop(at)
		return err
	case opPopMark:
		_, err := u.popMark(at)
		return err
	case opDup:
		v, err := u.top(at)
		if err != nil {
			return err
		}
		u.push(v)
	case opNone:
		u.push(pyNone{})
	case opNewTrue:
		u.push(true)
	case opNewFalse:
		u.push(false)
	default:
		return u.execValue(op, at)
	}
	return nil
}

// execValue runs the opcodes that push a scalar or build a container.
func (u *unpickler) execValue(op byte, at int64) error {
	switch op {
	case opBinInt1, opBinInt2, opBinInt:
		size := 4
		switch op {
		case opBinInt1:
			size = 1
		case opBinInt2:
			size = 2
		}
		v, err := u.uint(size)
		if err != nil {
			return err
		}
		if op == opBinInt {
			u.push(int64(int32(uint32(v))))
		} else {
			u.push(int64(v))
		}
	case opInt, opLong:
		s, err := u.line()
		if err != nil {
			return err
		}
		v, err := decodeText(at, s, op == opLong)
		if err != nil {
			return err
		}
		u.push(v)
	case opLong1, opLong4:
		size := 1
		if op == opLong4 {
			size = 4
		}
		n, err := u.uint(size)
		if err != nil {
			return err
		}
		if n > 64 {
			return corruptf(at, "integer wider than 64 bits")
		}
		b, err := u.bytes(n)
		if err != nil {
			return err
		}
		v, err := decodeLong(at, b)
		if err != nil {
			return err
		}
		u.push(v)
	default:
		return u.execString(op, at)
	}
	return nil
}

// stringSizes gives the width of the length field of each string opcode.
var stringSizes = map[byte]int{
	opShortBinStr: 1, opBinString: 4,
	opShortBinBytes: 1, opBinBytes: 4, opBinBytes8: 8,
	opShortBinUni: 1, opBinUnicode: 4, opBinUnicode8: 8,
}

// execString runs the opcodes that push a byte or text string.
func (u *unpickler) execString(op byte, at int64) error {
	size, ok := stringSizes[op]
	if !ok {
		return u.execContainer(op, at)
	}
	n, err := u.uint(size)
	if err != nil {
		return err
	}
	if op == opBinString && n >= 1<<31 {
		return corruptf(at, "negative string length")
	}
	b, err := u.bytes(n)
	if err != nil {
		return err
	}
	switch op {
	case opShortBinUni, opBinUnicode, opBinUnicode8:
		v, err := unicode(at, b)
		if err != nil {
			return err
		}
		u.push(v)
	default:
		u.push(pyBytes(b))
	}
	return nil
}

// execContainer runs the opcodes that build tuples, lists and dicts.
func (u *unpickler) execContainer(op byte, at int64) error {
	switch op {
	case opEmptyTuple:
		u.push(pyTuple{})
	case opTuple1, opTuple2, opTuple3:
		items, err := u.popN(at, int(op-opTuple1)+1)
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case opTuple:
		items, err := u.popMark(at)
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case opEmptyList:
		u.push(&pyList{})
	case opList:
		items, err := u.popMark(at)
		if err != nil {
			return err
		}
		u.push(&pyList{items: items})
	case opAppend, opAppends:
		return u.appendItems(op, at)
	case opEmptyDict:
		u.push(&pyDict{})
	case opDict:
		items, err := u.popMark(at)
		if err != nil {
			return err
		}
		d := &pyDict{}
		if err := d.setItems(at, items); err != nil {
			return err
		}
		u.push(d)
	case opSetItem, opSetItems:
		return u.setItems(op, at)
	default:
		return u.execObject(op, at)
	}
	return nil
}

func (u *unpickler) appendItems(op byte, at int64) error {
	var items []any
	var err error
	if op == opAppend {
		items, err = u.popN(at, 1)
	} else {
		items, err = u.popMark(at)
	}
	if err != nil {
		return err
	}
	top, err := u.top(at)
	if err != nil {
		return err
	}
	l, ok := top.(*pyList)
	if !ok {
		return corruptf(at, "APPEND to a %T", top)
	}
	l.items = append(l.items, items...)
	return nil
}

func (u *unpickler) setItems(op byte, at int64) error {
	var items []any
	var err error
	if op == opSetItem {
		items, err = u.popN(at, 2)
	} else {
		items, err = u.popMark(at)
	}
	if err != nil {
		return err
	}
	top, err := u.top(at)
	if err != nil {
		return err
	}
	d, ok := top.(*pyDict)
	if !ok {
		return corruptf(at, "SETITEM on a %T", top)
	}
	return d.setItems(at, items)
}

func (d *pyDict) setItems(at int64, kv []any) error {
	if len(kv)%2 != 0 {
		return corruptf(at, "odd number of dict items")
	}
	for i := 0; i < len(kv); i += 2 {
		d.keys = append(d.keys, kv[i])
		d.vals = append(d.vals, kv[i+1])
	}
	return nil
}

// execObject runs the opcodes that name classes and make instances, and
// the memo opcodes.
func (u *unpickler) execObject(op byte, at int64) error {
	switch op {
	case opGlobal:
		module, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		u.push(pyGlobal{module, name})
	case opStackGlobal:
		mn, err := u.popN(at, 2)
		if err != nil {
			return err
		}
		module, ok1 := asText(mn[0])
		name, ok2 := asText(mn[1])
		if !ok1 || !ok2 {
			return corruptf(at, "STACK_GLOBAL of non-strings")
		}
		u.push(pyGlobal{module, name})
	case opReduce, opNewObj:
		ca, err := u.popN(at, 2)
		if err != nil {
			return err
		}
		args, ok := ca[1].(pyTuple)
		if !ok {
			return corruptf(at, "class arguments are a %T", ca[1])
		}
		u.push(&pyObject{cls: ca[0], args: args})
	case opObj:
		items, err := u.popMark(at)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return corruptf(at, "OBJ without a class")
		}
		u.push(&pyObject{cls: items[0], args: items[1:]})
	case opInst:
		return u.inst(at)
	case opBuild:
		state, err := u.pop(at)
		if err != nil {
			return err
		}
		top, err := u.top(at)
		if err != nil {
			return err
		}
		obj, ok := top.(*pyObject)
		if !ok {
			return corruptf(at, "BUILD of a %T", top)
		}
		obj.state = state
	default:
		return u.execMemo(op, at)
	}
	return nil
}

// inst runs INST: protocol 0's instance of an old-style class.
func (u *unpickler) inst(at int64) error {
	module, err := u.line()
	if err != nil {
		return err
	}
	name, err := u.line()
	if err != nil {
		return err
	}
	args, err := u.popMark(at)
	if err != nil {
		return err
	}
	u.push(&pyObject{cls: pyGlobal{module, name}, args: args})
	return nil
}

// execMemo runs the memo opcodes. The memo is a map so that a forged
// index costs one entry, not an array of that size.
func (u *unpickler) execMemo(op byte, at int64) error {
	var idx uint64
	var err error
	switch op {
	case opBinPut, opBinGet:
		idx, err = u.uint(1)
	case opLongBinPut, opLongBinGet:
		idx, err = u.uint(4)
	case opPut, opGet:
		var s string
		if s, err = u.line(); err == nil {
			var v any
			if v, err = decodeText(at, s, true); err == nil {
				n, _ := v.(int64)
				idx = uint64(n)
			}
		}
	case opMemoize:
		idx = uint64(len(u.memo))
	default:
		return corruptf(at, "unsupported opcode 0x%02x", op)
	}
	if err != nil {
		return err
	}
	if u.memo == nil {
		u.memo = make(map[int]any)
	}
	switch op {
	case opGet, opBinGet, opLongBinGet:
		v, ok := u.memo[int(idx)]
		if !ok {
			return corruptf(at, "memo %d not set", idx)
		}
		u.push(v)
	default:
		v, err := u.top(at)
		if err != nil {
			return err
		}
		u.memo[int(idx)] = v
	}
	return nil
}
