package proto

import (
	"bytes"
	"errors"
	"fmt"
)

// Version is the NEO protocol version spoken here (NEO/py's
// PROTOCOL_VERSION).
const Version = 5

// Handshake is what both ends of a connection send first: the msgpack
// array ["NEO", 5] (the only msgpack str on the wire).
var Handshake = []byte{0x92, 0xa3, 'N', 'E', 'O', Version}

// HandshakeLen is the length of Handshake.
const HandshakeLen = 6

// magicLen is the part of the handshake before the version (NEO/py's
// MAGIC_SIZE).
const magicLen = 5

var (
	// ErrNotNEO reports a peer whose first bytes are not a NEO handshake.
	ErrNotNEO = errors.New("proto: peer does not speak NEO")
	// ErrVersion reports a NEO peer of another protocol version.
	ErrVersion = errors.New("proto: NEO protocol version mismatch")
)

// CheckHandshake checks the first HandshakeLen bytes a peer sent. Its
// error wraps ErrVersion for a NEO peer of another version (the version
// is read when it is a small integer) and ErrNotNEO otherwise.
func CheckHandshake(b []byte) error {
	if len(b) < HandshakeLen {
		return fmt.Errorf("%w: handshake of %d bytes, want %d", ErrNotNEO, len(b), HandshakeLen)
	}
	b = b[:HandshakeLen]
	if bytes.Equal(b, Handshake) {
		return nil
	}
	if bytes.Equal(b[:magicLen], Handshake[:magicLen]) {
		if b[magicLen] < 0x80 {
			return fmt.Errorf("%w: peer speaks version %d, want %d", ErrVersion, b[magicLen], Version)
		}
		return fmt.Errorf("%w: peer's version byte %#02x, want %d", ErrVersion, b[magicLen], Version)
	}
	return fmt.Errorf("%w: handshake % x, want % x", ErrNotNEO, b, Handshake)
}
