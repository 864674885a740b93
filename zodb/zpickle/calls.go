package zpickle

import (
	"fmt"

	ogórek "github.com/kisielk/og-rek"
)

// reduce is REDUCE: the pickle calls callable(*args). A few calls are how
// pickles write values that have no opcode of their own, and become those
// values; any other call of a class stays an ogórek.Call, as og-rek would
// leave it.
func reduce(callable, args any) (any, error) {
	a, ok := args.(ogórek.Tuple)
	if !ok {
		return nil, fmt.Errorf("REDUCE: arguments are %T, not a tuple", args)
	}
	c, ok := callable.(ogórek.Class)
	if !ok {
		// A persistent class (a Ref), or whatever a pickle calls.
		return &Object{Class: callable, Args: a}, nil
	}
	switch {
	case c.Module == "_codecs" && c.Name == "encode" && len(a) == 2 && isText(a[1], "latin1"):
		// Protocols 0 to 2 write Python 3 bytes as
		// _codecs.encode(bytes.decode('latin1'), 'latin1').
		b, err := latin1(a[0])
		if err != nil {
			return nil, fmt.Errorf("_codecs.encode: %w", err)
		}
		return ogórek.Bytes(b), nil
	case isBuiltin(c, "bytearray") && len(a) == 1:
		if b, ok := a[0].(ogórek.Bytes); ok {
			return []byte(b), nil
		}
	case isBuiltin(c, "bytearray") && len(a) == 2 && isText(a[1], "latin-1"):
		b, err := latin1(a[0])
		if err != nil {
			return nil, fmt.Errorf("bytearray: %w", err)
		}
		return []byte(b), nil
	case (c.Module == "copy_reg" || c.Module == "copyreg") && c.Name == "_reconstructor" &&
		len(a) == 3 && isNone(a[2]):
		// How protocols 0 and 1 write an instance of a plain class:
		// _reconstructor(cls, object, None), then BUILD its state. It is an
		// *Object already here, so that what the memo keeps of it gets
		// the state too.
		return &Object{Class: a[0]}, nil
	}
	return ogórek.Call{Callable: c, Args: a}, nil
}

func isBuiltin(c ogórek.Class, name string) bool {
	return (c.Module == "builtins" || c.Module == "__builtin__") && c.Name == name
}

func isText(v any, s string) bool {
	t, ok := asString(v)
	return ok && t == s
}

// latin1 encodes text whose every character is below U+0100, as the
// latin1 codec does; a Python 2 str is bytes already.
func latin1(v any) ([]byte, error) {
	switch s := v.(type) {
	case ogórek.ByteString:
		return []byte(s), nil
	case string:
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r >= 0x100 {
				return nil, fmt.Errorf("latin1 cannot encode %q", r)
			}
			b = append(b, byte(r))
		}
		return b, nil
	}
	return nil, fmt.Errorf("latin1 of %T", v)
}
