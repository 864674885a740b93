package fsindex

// Sizes of the parts of the saved form (see doc.go).
const (
	prefixLen = 6 // oid bytes 0..5: the bucket a key lives in
	suffixLen = 2 // oid bytes 6..7: the key inside the bucket
	posLen    = 6 // a position: the low 6 bytes of its big-endian uint64

	maxPos = 1<<(8*posLen) - 1 // the greatest position 6 bytes hold
)

// Python pickle opcodes: the ones Save writes and Load understands.
const (
	opMark          = '('
	opStop          = '.'
	opPop           = '0'
	opPopMark       = '1'
	opDup           = '2'
	opInt           = 'I'
	opBinInt        = 'J'
	opBinInt1       = 'K'
	opBinInt2       = 'M'
	opLong          = 'L'
	opNone          = 'N'
	opReduce        = 'R'
	opBinString     = 'T'
	opShortBinStr   = 'U'
	opBinUnicode    = 'X'
	opAppend        = 'a'
	opBuild         = 'b'
	opGlobal        = 'c'
	opDict          = 'd'
	opEmptyDict     = '}'
	opAppends       = 'e'
	opGet           = 'g'
	opBinGet        = 'h'
	opLongBinGet    = 'j'
	opList          = 'l'
	opEmptyList     = ']'
	opPut           = 'p'
	opBinPut        = 'q'
	opLongBinPut    = 'r'
	opSetItem       = 's'
	opTuple         = 't'
	opEmptyTuple    = ')'
	opSetItems      = 'u'
	opProto         = 0x80
	opNewObj        = 0x81
	opTuple1        = 0x85
	opTuple2        = 0x86
	opTuple3        = 0x87
	opNewTrue       = 0x88
	opNewFalse      = 0x89
	opLong1         = 0x8a
	opLong4         = 0x8b
	opBinBytes      = 'B'
	opShortBinBytes = 'C'
	opShortBinUni   = 0x8c
	opBinUnicode8   = 0x8d
	opBinBytes8     = 0x8e
	opStackGlobal   = 0x93
	opMemoize       = 0x94
	opFrame         = 0x95
	opNewObjEx      = 0x92
	opObj           = 'o'
	opInst          = 'i'

	// saveProtocol is ZODB's _protocol: what Python 3 ZODB saves with.
	saveProtocol = 3
)
