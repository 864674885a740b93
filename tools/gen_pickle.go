package tools

import (
	"encoding/binary"
	"math"
)

// A pickleBuf writes protocol-3 pickles by hand, opcode by opcode, so that
// the bytes depend only on what is written (a Go map given to a generic
// encoder would come out in random order, and the generator promises the
// same file for the same seed).
type pickleBuf struct{ b []byte }

// Opcodes of pickle protocols 1-3 that the generator uses.
const (
	pkProto         = 0x80
	pkGlobal        = 'c'
	pkEmptyDict     = '}'
	pkEmptyTuple    = ')'
	pkMark          = '('
	pkSetItems      = 'u'
	pkSetItem       = 's'
	pkTuple         = 't'
	pkTuple1        = 0x85
	pkTuple2        = 0x86
	pkBinUnicode    = 'X'
	pkBinBytes      = 'B'
	pkShortBinBytes = 'C'
	pkBinInt        = 'J'
	pkLong1         = 0x8a
	pkBinFloat      = 'G'
	pkBinPersID     = 'Q'
	pkNone          = 'N'
	pkStop          = '.'
)

func (p *pickleBuf) op(b ...byte) { p.b = append(p.b, b...) }

func (p *pickleBuf) proto() { p.op(pkProto, 3) }

func (p *pickleBuf) stop() { p.op(pkStop) }

// global pushes module.name: a class.
func (p *pickleBuf) global(module, name string) {
	p.op(pkGlobal)
	p.b = append(p.b, module...)
	p.op('\n')
	p.b = append(p.b, name...)
	p.op('\n')
}

func (p *pickleBuf) str(s string) {
	p.op(pkBinUnicode)
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
}

func (p *pickleBuf) bytes(s []byte) {
	if len(s) < 256 {
		p.op(pkShortBinBytes, byte(len(s)))
	} else {
		p.op(pkBinBytes)
		p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	}
	p.b = append(p.b, s...)
}

func (p *pickleBuf) int(i int64) {
	if i >= math.MinInt32 && i <= math.MaxInt32 {
		p.op(pkBinInt)
		p.b = binary.LittleEndian.AppendUint32(p.b, uint32(int32(i)))
		return
	}
	p.op(pkLong1, 8)
	p.b = binary.LittleEndian.AppendUint64(p.b, uint64(i))
}

func (p *pickleBuf) float(f float64) {
	p.op(pkBinFloat)
	p.b = binary.BigEndian.AppendUint64(p.b, math.Float64bits(f))
}

// ref pushes a persistent reference as ZODB writes one for an object whose
// class is known: the (oid, class) tuple, then BINPERSID.
func (p *pickleBuf) ref(oid uint64, module, name string) {
	p.bytes(binary.BigEndian.AppendUint64(nil, oid))
	p.global(module, name)
	p.op(pkTuple2, pkBinPersID)
}

// classPickle returns ZODB's first pickle of a record: the object's class.
func classPickle(module, name string) []byte {
	var p pickleBuf
	p.proto()
	p.global(module, name)
	p.stop()
	return p.b
}
