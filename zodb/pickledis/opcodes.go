package pickledis

// stackObj is what pickletools' stack emulation knows of a value: the name
// of its kind (pickletools' StackObject), printed in the "stack not empty"
// error.
type stackObj uint8

const (
	anyObj stackObj = iota
	intObj
	longObj
	intOrBoolObj
	boolObj
	floatObj
	stringObj
	bytesObj
	strObj
	noneObj
	tupleObj
	listObj
	dictObj
	markObj
	stacksliceObj
	bytearrayObj
	bufferObj
	setObj
	frozensetObj
)

var stackObjNames = [...]string{
	anyObj: "any", intObj: "int", longObj: "long", intOrBoolObj: "int_or_bool",
	boolObj: "bool", floatObj: "float", stringObj: "string", bytesObj: "bytes",
	strObj: "str", noneObj: "None", tupleObj: "tuple", listObj: "list",
	dictObj: "dict", markObj: "mark", stacksliceObj: "stackslice",
	bytearrayObj: "bytearray", bufferObj: "buffer", setObj: "set",
	frozensetObj: "frozenset",
}

// The opcodes that Dis treats apart.
const (
	opSTOP        = '.'
	opPOP         = '0'
	opPUT         = 'p'
	opBINPUT      = 'q'
	opLONG_BINPUT = 'r'
	opMEMOIZE     = 0x94
	opGET         = 'g'
	opBINGET      = 'h'
	opLONG_BINGET = 'j'
)

func stack(objs ...stackObj) []stackObj { return objs }

// opcode describes one pickle opcode as pickletools does: its byte, name,
// argument, the stack it expects and leaves, the protocol that introduced
// it and the first line of its description (printed by annotations).
type opcode struct {
	code          byte
	name          string
	arg           argKind
	before, after []stackObj
	proto         int
	doc           string
	markAt        int // index of markObj in before, or -1
}

// opcodeList is the opcode table of zodbpickle.pickletools_3, the
// disassembler zodbdump runs, completed with the protocol 4 and 5 opcodes
// of Python 3.11's pickletools (which zodbpickle's does not know). The two
// differ, for the opcodes they share, only in stack object names (long,
// string) and NEWTRUE/NEWFALSE's description; zodbpickle's are kept.
var opcodeList = []opcode{
	{code: 'I', name: "INT", arg: argDecimalnlShort, before: nil, after: stack(intOrBoolObj), proto: 0,
		doc: "Push an integer or bool."},
	{code: 'J', name: "BININT", arg: argInt4, before: nil, after: stack(intObj), proto: 1,
		doc: "Push a four-byte signed integer."},
	{code: 'K', name: "BININT1", arg: argUint1, before: nil, after: stack(intObj), proto: 1,
		doc: "Push a one-byte unsigned integer."},
	{code: 'M', name: "BININT2", arg: argUint2, before: nil, after: stack(intObj), proto: 1,
		doc: "Push a two-byte unsigned integer."},
	{code: 'L', name: "LONG", arg: argDecimalnlLong, before: nil, after: stack(longObj), proto: 0,
		doc: "Push a long integer."},
	{code: 0x8a, name: "LONG1", arg: argLong1, before: nil, after: stack(longObj), proto: 2,
		doc: "Long integer using one-byte length."},
	{code: 0x8b, name: "LONG4", arg: argLong4, before: nil, after: stack(longObj), proto: 2,
		doc: "Long integer using found-byte length."},
	{code: 'S', name: "STRING", arg: argStringnl, before: nil, after: stack(stringObj), proto: 0,
		doc: "Push a Python string object."},
	{code: 'T', name: "BINSTRING", arg: argString4, before: nil, after: stack(stringObj), proto: 1,
		doc: "Push a Python string object."},
	{code: 'U', name: "SHORT_BINSTRING", arg: argString1, before: nil, after: stack(stringObj), proto: 1,
		doc: "Push a Python string object."},
	{code: 'B', name: "BINBYTES", arg: argBytes4, before: nil, after: stack(bytesObj), proto: 3,
		doc: "Push a Python bytes object."},
	{code: 'C', name: "SHORT_BINBYTES", arg: argBytes1, before: nil, after: stack(bytesObj), proto: 3,
		doc: "Push a Python bytes object."},
	{code: 0x8e, name: "BINBYTES8", arg: argBytes8, before: nil, after: stack(bytesObj), proto: 4,
		doc: "Push a Python bytes object."},
	{code: 0x96, name: "BYTEARRAY8", arg: argBytearray8, before: nil, after: stack(bytearrayObj), proto: 5,
		doc: "Push a Python bytearray object."},
	{code: 0x97, name: "NEXT_BUFFER", arg: argNone, before: nil, after: stack(bufferObj), proto: 5,
		doc: "Push an out-of-band buffer object."},
	{code: 0x98, name: "READONLY_BUFFER", arg: argNone, before: stack(bufferObj), after: stack(bufferObj), proto: 5,
		doc: "Make an out-of-band buffer object read-only."},
	{code: 'N', name: "NONE", arg: argNone, before: nil, after: stack(noneObj), proto: 0,
		doc: "Push None on the stack."},
	{code: 0x88, name: "NEWTRUE", arg: argNone, before: nil, after: stack(boolObj), proto: 2,
		doc: "True."},
	{code: 0x89, name: "NEWFALSE", arg: argNone, before: nil, after: stack(boolObj), proto: 2,
		doc: "True."},
	{code: 'V', name: "UNICODE", arg: argUnicodestringnl, before: nil, after: stack(strObj), proto: 0,
		doc: "Push a Python Unicode string object."},
	{code: 0x8c, name: "SHORT_BINUNICODE", arg: argUnicodestring1, before: nil, after: stack(strObj), proto: 4,
		doc: "Push a Python Unicode string object."},
	{code: 'X', name: "BINUNICODE", arg: argUnicodestring4, before: nil, after: stack(strObj), proto: 1,
		doc: "Push a Python Unicode string object."},
	{code: 0x8d, name: "BINUNICODE8", arg: argUnicodestring8, before: nil, after: stack(strObj), proto: 4,
		doc: "Push a Python Unicode string object."},
	{code: 'F', name: "FLOAT", arg: argFloatnl, before: nil, after: stack(floatObj), proto: 0,
		doc: "Newline-terminated decimal float literal."},
	{code: 'G', name: "BINFLOAT", arg: argFloat8, before: nil, after: stack(floatObj), proto: 1,
		doc: "Float stored in binary form, with 8 bytes of data."},
	{code: ']', name: "EMPTY_LIST", arg: argNone, before: nil, after: stack(listObj), proto: 1,
		doc: "Push an empty list."},
	{code: 'a', name: "APPEND", arg: argNone, before: stack(listObj, anyObj), after: stack(listObj), proto: 0,
		doc: "Append an object to a list."},
	{code: 'e', name: "APPENDS", arg: argNone, before: stack(listObj, markObj, stacksliceObj), after: stack(listObj), proto: 1,
		doc: "Extend a list by a slice of stack objects."},
	{code: 'l', name: "LIST", arg: argNone, before: stack(markObj, stacksliceObj), after: stack(listObj), proto: 0,
		doc: "Build a list out of the topmost stack slice, after markobject."},
	{code: ')', name: "EMPTY_TUPLE", arg: argNone, before: nil, after: stack(tupleObj), proto: 1,
		doc: "Push an empty tuple."},
	{code: 't', name: "TUPLE", arg: argNone, before: stack(markObj, stacksliceObj), after: stack(tupleObj), proto: 0,
		doc: "Build a tuple out of the topmost stack slice, after markobject."},
	{code: 0x85, name: "TUPLE1", arg: argNone, before: stack(anyObj), after: stack(tupleObj), proto: 2,
		doc: "Build a one-tuple out of the topmost item on the stack."},
	{code: 0x86, name: "TUPLE2", arg: argNone, before: stack(anyObj, anyObj), after: stack(tupleObj), proto: 2,
		doc: "Build a two-tuple out of the top two items on the stack."},
	{code: 0x87, name: "TUPLE3", arg: argNone, before: stack(anyObj, anyObj, anyObj), after: stack(tupleObj), proto: 2,
		doc: "Build a three-tuple out of the top three items on the stack."},
	{code: '}', name: "EMPTY_DICT", arg: argNone, before: nil, after: stack(dictObj), proto: 1,
		doc: "Push an empty dict."},
	{code: 'd', name: "DICT", arg: argNone, before: stack(markObj, stacksliceObj), after: stack(dictObj), proto: 0,
		doc: "Build a dict out of the topmost stack slice, after markobject."},
	{code: 's', name: "SETITEM", arg: argNone, before: stack(dictObj, anyObj, anyObj), after: stack(dictObj), proto: 0,
		doc: "Add a key+value pair to an existing dict."},
	{code: 'u', name: "SETITEMS", arg: argNone, before: stack(dictObj, markObj, stacksliceObj), after: stack(dictObj), proto: 1,
		doc: "Add an arbitrary number of key+value pairs to an existing dict."},
	{code: 0x8f, name: "EMPTY_SET", arg: argNone, before: nil, after: stack(setObj), proto: 4,
		doc: "Push an empty set."},
	{code: 0x90, name: "ADDITEMS", arg: argNone, before: stack(setObj, markObj, stacksliceObj), after: stack(setObj), proto: 4,
		doc: "Add an arbitrary number of items to an existing set."},
	{code: 0x91, name: "FROZENSET", arg: argNone, before: stack(markObj, stacksliceObj), after: stack(frozensetObj), proto: 4,
		doc: "Build a frozenset out of the topmost slice, after markobject."},
	{code: '0', name: "POP", arg: argNone, before: stack(anyObj), after: nil, proto: 0,
		doc: "Discard the top stack item, shrinking the stack by one item."},
	{code: '2', name: "DUP", arg: argNone, before: stack(anyObj), after: stack(anyObj, anyObj), proto: 0,
		doc: "Push the top stack item onto the stack again, duplicating it."},
	{code: '(', name: "MARK", arg: argNone, before: nil, after: stack(markObj), proto: 0,
		doc: "Push markobject onto the stack."},
	{code: '1', name: "POP_MARK", arg: argNone, before: stack(markObj, stacksliceObj), after: nil, proto: 1,
		doc: "Pop all the stack objects at and above the topmost markobject."},
	{code: 'g', name: "GET", arg: argDecimalnlShort, before: nil, after: stack(anyObj), proto: 0,
		doc: "Read an object from the memo and push it on the stack."},
	{code: 'h', name: "BINGET", arg: argUint1, before: nil, after: stack(anyObj), proto: 1,
		doc: "Read an object from the memo and push it on the stack."},
	{code: 'j', name: "LONG_BINGET", arg: argUint4, before: nil, after: stack(anyObj), proto: 1,
		doc: "Read an object from the memo and push it on the stack."},
	{code: 'p', name: "PUT", arg: argDecimalnlShort, before: nil, after: nil, proto: 0,
		doc: "Store the stack top into the memo.  The stack is not popped."},
	{code: 'q', name: "BINPUT", arg: argUint1, before: nil, after: nil, proto: 1,
		doc: "Store the stack top into the memo.  The stack is not popped."},
	{code: 'r', name: "LONG_BINPUT", arg: argUint4, before: nil, after: nil, proto: 1,
		doc: "Store the stack top into the memo.  The stack is not popped."},
	{code: 0x94, name: "MEMOIZE", arg: argNone, before: stack(anyObj), after: stack(anyObj), proto: 4,
		doc: "Store the stack top into the memo.  The stack is not popped."},
	{code: 0x82, name: "EXT1", arg: argUint1, before: nil, after: stack(anyObj), proto: 2,
		doc: "Extension code."},
	{code: 0x83, name: "EXT2", arg: argUint2, before: nil, after: stack(anyObj), proto: 2,
		doc: "Extension code."},
	{code: 0x84, name: "EXT4", arg: argInt4, before: nil, after: stack(anyObj), proto: 2,
		doc: "Extension code."},
	{code: 'c', name: "GLOBAL", arg: argStringnlNoescapePair, before: nil, after: stack(anyObj), proto: 0,
		doc: "Push a global object (module.attr) on the stack."},
	{code: 0x93, name: "STACK_GLOBAL", arg: argNone, before: stack(strObj, strObj), after: stack(anyObj), proto: 4,
		doc: "Push a global object (module.attr) on the stack."},
	{code: 'R', name: "REDUCE", arg: argNone, before: stack(anyObj, anyObj), after: stack(anyObj), proto: 0,
		doc: "Push an object built from a callable and an argument tuple."},
	{code: 'b', name: "BUILD", arg: argNone, before: stack(anyObj, anyObj), after: stack(anyObj), proto: 0,
		doc: "Finish building an object, via __setstate__ or dict update."},
	{code: 'i', name: "INST", arg: argStringnlNoescapePair, before: stack(markObj, stacksliceObj), after: stack(anyObj), proto: 0,
		doc: "Build a class instance."},
	{code: 'o', name: "OBJ", arg: argNone, before: stack(markObj, anyObj, stacksliceObj), after: stack(anyObj), proto: 1,
		doc: "Build a class instance."},
	{code: 0x81, name: "NEWOBJ", arg: argNone, before: stack(anyObj, anyObj), after: stack(anyObj), proto: 2,
		doc: "Build an object instance."},
	{code: 0x92, name: "NEWOBJ_EX", arg: argNone, before: stack(anyObj, anyObj, anyObj), after: stack(anyObj), proto: 4,
		doc: "Build an object instance."},
	{code: 0x80, name: "PROTO", arg: argUint1, before: nil, after: nil, proto: 2,
		doc: "Protocol version indicator."},
	{code: '.', name: "STOP", arg: argNone, before: stack(anyObj), after: nil, proto: 0,
		doc: "Stop the unpickling machine."},
	{code: 0x95, name: "FRAME", arg: argUint8, before: nil, after: nil, proto: 4,
		doc: "Indicate the beginning of a new frame."},
	{code: 'P', name: "PERSID", arg: argStringnlNoescape, before: nil, after: stack(anyObj), proto: 0,
		doc: "Push an object identified by a persistent ID."},
	{code: 'Q', name: "BINPERSID", arg: argNone, before: stack(anyObj), after: stack(anyObj), proto: 1,
		doc: "Push an object identified by a persistent ID."},
}

// opcodes maps a byte to its opcode; nil for an unknown byte.
var opcodes = indexOpcodes()

func indexOpcodes() *[256]*opcode {
	var index [256]*opcode
	for i := range opcodeList {
		op := &opcodeList[i]
		op.markAt = -1
		for j, obj := range op.before {
			if obj == markObj {
				op.markAt = j
			}
		}
		index[op.code] = op
	}
	return &index
}
