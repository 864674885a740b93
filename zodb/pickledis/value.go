package pickledis

import (
	"math/big"

	"github.com/zodbneo/zodbneo/internal/pyquote"
)

// value is the decoded argument of an opcode, as the Python object
// pickletools' argument reader returns it.
type value struct {
	kind valueKind
	i    int64    // intValue (when big is nil), boolValue (0 or 1)
	big  *big.Int // intValue outside int64
	f    float64  // floatValue
	s    pyStr    // strValue
	b    []byte   // bytesValue, bytearrayValue
}

type valueKind uint8

const (
	noValue valueKind = iota
	intValue
	boolValue
	floatValue
	strValue
	bytesValue
	bytearrayValue
)

func intValueOf(i int64) value { return value{kind: intValue, i: i} }

func bigValue(x *big.Int) value {
	if x.IsInt64() {
		return intValueOf(x.Int64())
	}
	return value{kind: intValue, big: x}
}

// appendRepr appends repr() of v; it fails only for an int too long to
// print (see appendBigRepr).
func (v *value) appendRepr(out []byte) ([]byte, error) {
	switch v.kind {
	case intValue:
		if v.big != nil {
			return appendBigRepr(out, v.big)
		}
		return appendInt(out, v.i), nil
	case boolValue:
		if v.i != 0 {
			return append(out, "True"...), nil
		}
		return append(out, "False"...), nil
	case floatValue:
		return pyquote.AppendFloatRepr(out, v.f, true), nil
	case strValue:
		return appendStrRepr(out, &v.s), nil
	case bytesValue:
		return pyquote.AppendBytesRepr(out, v.b), nil
	case bytearrayValue:
		out = append(out, "bytearray("...)
		return append(pyquote.AppendBytesRepr(out, v.b), ')'), nil
	}
	return append(out, "None"...), nil
}

func appendInt(out []byte, i int64) []byte {
	var buf [20]byte
	n := len(buf)
	u := uint64(i)
	if i < 0 {
		u = -u
	}
	for {
		n--
		buf[n] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if i < 0 {
		out = append(out, '-')
	}
	return append(out, buf[n:]...)
}
