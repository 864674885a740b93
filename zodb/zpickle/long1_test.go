package zpickle

import (
	"bytes"
	"math/big"
	"testing"
)

// A LONG1 of 128 bytes or more, which og-rek alone misreads, decodes to
// the number Python reads: here 0x01 followed by 127 zero bytes, little
// endian, is 1.
func TestDecodeLong1Long(t *testing.T) {
	arg := append([]byte{1}, bytes.Repeat([]byte{0}, 127)...)
	state := append([]byte{0x80, 2, 0x8a, byte(len(arg))}, arg...)
	state = append(state, '.')
	data := append([]byte("cm\nC\n."), state...)
	_, v, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := v.(*big.Int)
	if !ok || got.Cmp(big.NewInt(1)) != 0 {
		t.Errorf("state = %#v, want 1", v)
	}
}
