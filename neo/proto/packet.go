package proto

import (
	"fmt"
	"math"
)

// Packet is one framed packet: the msgpack array [msg_id, code, args].
type Packet struct {
	MsgID uint32
	Code  uint16
	Args  []byte // the msgpack array of the arguments, as received
	Raw   []byte // the whole packet, as received
}

// Name returns the NEO/py name of the packet's code.
func (p Packet) Name() string {
	if n, ok := CodeName(p.Code); ok {
		return n
	}
	return fmt.Sprintf("Code(%#x)", p.Code)
}

// Msg is a packet's arguments as a Go value. AppendArgs appends the
// msgpack array of the arguments exactly as NEO/py's packer writes them;
// DecodeArgs reads such an array (all of args, nothing more).
type Msg interface {
	Code() uint16
	AppendArgs(b []byte) []byte
	DecodeArgs(args []byte) error
}

// Raw is a msgpack value kept as its bytes.
type Raw []byte

// Generic is a packet of a type not decoded into a struct: its arguments
// stay raw msgpack and re-encode to the same bytes.
type Generic struct {
	PacketCode uint16
	Args       []byte // msgpack array
}

func (g *Generic) Code() uint16               { return g.PacketCode }
func (g *Generic) AppendArgs(b []byte) []byte { return append(b, g.Args...) }
func (g *Generic) DecodeArgs(args []byte) error {
	d := dec{b: args}
	n := d.arrayLen()
	for i := 0; i < n; i++ {
		d.next()
	}
	if err := d.end(); err != nil {
		return err
	}
	g.Args = args
	return nil
}

// AppendPacket appends the packet [msgID, m.Code(), args of m] to b.
func AppendPacket(b []byte, msgID uint32, m Msg) []byte {
	b = append(b, 0x93)
	b = appendUint(b, uint64(msgID))
	b = appendUint(b, uint64(m.Code()))
	return m.AppendArgs(b)
}

// ParsePacket reads the packet at the start of b and returns it with its
// length. Args and Raw are slices of b.
func ParsePacket(b []byte) (Packet, int, error) {
	p, n, err := parsePacket(b)
	if err != nil {
		return Packet{}, 0, fmt.Errorf("proto: %w", err)
	}
	return p, n, nil
}

// parsePacket is ParsePacket with errors not prefixed (errIncomplete when
// b ends inside the packet).
func parsePacket(b []byte) (Packet, int, error) {
	n, err := objLen(b)
	if err != nil {
		return Packet{}, 0, err
	}
	return parseFramed(b, n)
}

// parseFramed reads the packet b[:n], n being the length of the msgpack
// object at the start of b.
func parseFramed(b []byte, n int) (Packet, int, error) {
	d := dec{b: b[:n]}
	if k := d.arrayLen(); d.err == nil && k != 3 {
		return Packet{}, 0, fmt.Errorf("packet is an array of %d items, want 3", k)
	}
	id := d.intRange(0, math.MaxUint32, "msg_id")
	code := d.intRange(0, math.MaxUint16, "packet code")
	start := d.off
	_ = d.arrayLen()
	if d.err != nil {
		return Packet{}, 0, d.err
	}
	p := Packet{MsgID: uint32(id), Code: uint16(code), Args: b[start:n], Raw: b[:n]}
	if _, ok := codeNames[p.Code]; !ok {
		return Packet{}, 0, fmt.Errorf("unknown packet code %#x", code)
	}
	return p, n, nil
}

// newMsg returns a zero typed Msg for the code, nil if the packet is not
// typed yet.
func newMsg(code uint16) Msg {
	if f := msgTypes[code]; f != nil {
		return f()
	}
	return nil
}

// Decode decodes the packet's arguments into its typed Msg, or into a
// *Generic for packets not typed yet. Byte fields of the Msg (data,
// checksums, Generic.Args, ...) alias p.Args: with a Reader they are valid
// until its next call to Next; copy them to keep them.
func (p Packet) Decode() (Msg, error) {
	m := newMsg(p.Code)
	if m == nil {
		m = &Generic{PacketCode: p.Code}
	}
	if err := m.DecodeArgs(p.Args); err != nil {
		return nil, fmt.Errorf("proto: %s (msg_id %d): args %w", p.Name(), p.MsgID, err)
	}
	return m, nil
}

// IsTyped reports whether packets of the code decode into a struct.
func IsTyped(code uint16) bool { return msgTypes[code] != nil }
