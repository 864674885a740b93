// Package proto is NEO's wire protocol, version 5, byte-compatible with
// NEO/py (Nexedi/neoppod, neo/lib/protocol.py): the handshake, packet
// framing, packet codes, enums and typed packets.
//
// A connection carries, in each direction, a plain concatenation of
// msgpack objects: first the handshake, then one array per packet, with
// no length prefix:
//
//	92 a3 4e 45 4f 05                  ["NEO", 5]      handshake (Handshake)
//	93 <msg_id> <code> 9x <args...>    [msg_id, code, args]   one packet
//
// msg_id is a uint32 (an answer reuses its request's id), code the
// packet's code (see codes.go; answers are request code | AnswerBit), args
// always an array. Every value uses the form NEO/py's packer writes: the
// smallest integer format (unsigned forms for non-negative values), bin
// for all bytes and texts, float64 for timestamps, nil for None, fixext1
// "d4 <type> <value>" for enums (see enums.go).
//
// Reader reads a stream: ReadHandshake, then Next for each Packet (msg
// id, code, raw args). Packet.Decode gives the typed Msg of the packet
// (see registry.go for the typed ones) or a *Generic holding the raw
// arguments; AppendPacket encodes a Msg exactly as NEO/py does, so a
// decoded packet re-encodes to its bytes. Lists that NEO/py builds from
// sets travel in arbitrary order; decoding keeps the order received.
//
// The msgpack code here is a small hand-written encoder and decoder of
// the few forms NEO uses rather than a general library: byte-identical
// output needs control of every integer and bin form, the decoder must
// accept any valid input without panicking, and a packet decodes into its
// struct without reflection or intermediate values (few allocations).
//
// Errors start with "proto:"; a non-NEO peer gives ErrNotNEO, another
// protocol version ErrVersion, a packet over the size limit ErrTooLarge,
// a stream ending inside a packet io.ErrUnexpectedEOF (all wrapped).
package proto
