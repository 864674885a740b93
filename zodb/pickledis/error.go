package pickledis

import "fmt"

// Error is a pickle that pickletools refuses: an unknown opcode, a
// truncated or malformed argument, or a check of the stack and memo
// emulation that fails. Msg is the text of the exception pickletools raises
// and Type its Python class (ValueError, UnicodeDecodeError, IndexError).
type Error struct {
	Type string
	Msg  string
}

func (e *Error) Error() string { return "pickledis: " + e.Msg }

func valueError(format string, args ...any) *Error {
	return &Error{Type: "ValueError", Msg: fmt.Sprintf(format, args...)}
}

// decodeError is Python's UnicodeDecodeError text for the bytes in[start:end]
// that codec could not decode.
func decodeError(codec string, in []byte, start, end int, reason string) *Error {
	var msg string
	if end-start == 1 {
		msg = fmt.Sprintf("'%s' codec can't decode byte 0x%02x in position %d: %s",
			codec, in[start], start, reason)
	} else {
		msg = fmt.Sprintf("'%s' codec can't decode bytes in position %d-%d: %s",
			codec, start, end-1, reason)
	}
	return &Error{Type: "UnicodeDecodeError", Msg: msg}
}
