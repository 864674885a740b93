package zpickle

import (
	"encoding/binary"
	"errors"
	"fmt"

	ogórek "github.com/kisielk/og-rek"
	"github.com/zodbneo/zodbneo/zodb"
)

// Ref is a persistent reference from one object's pickle to another object.
type Ref struct {
	Oid      zodb.Oid
	Class    string // "module.Name" when the reference carries the class, else ""
	Database string // the other database of a cross-database reference, else ""
	Weak     bool   // a persistent.wref.WeakRef: it does not keep its object alive
}

// References returns every persistent reference of a record, class pickle
// and state pickle, in the order they occur, in all the forms
// ZODB.serialize writes and reads:
//
//	oid                          a reference without class (the class has __getnewargs__)
//	(oid, class)                 a reference with its class: a global or an old (module, name)
//	['w', (oid,)]                a weak reference
//	['w', (oid, database)]       a weak reference into another database
//	['m', (database, oid, class)] a reference into another database, with class
//	['n', (database, oid)]       a reference into another database
//	[oid]                        an old weak reference
//
// A reference in none of these forms, or whose oid is not 8 bytes, gives an
// error marked with zodb.ErrCorrupt.
func References(data []byte) ([]Ref, error) {
	s := scanners.Get().(*scanner)
	defer s.release()
	if s.scan(data) == nil {
		if refs, ok := s.references(); ok {
			return refs, nil
		}
	}
	return referencesSlow(data)
}

// Refs returns the oids a record refers to strongly within its own
// database, in order and with repeats: what ZODB.serialize.referencesf
// returns, and so what packing and fsrefs follow. Weak and cross-database
// references (the list forms) are left out, as referencesf leaves them out.
//
// Refs scans most records without decoding them; it is meant for every
// record of a database.
func Refs(data []byte) ([]zodb.Oid, error) {
	s := scanners.Get().(*scanner)
	defer s.release()
	if s.scan(data) == nil {
		if oids, ok := s.strongOids(); ok {
			return oids, nil
		}
	}
	return refsSlow(data)
}

// referencesSlow is References through og-rek.
func referencesSlow(data []byte) ([]Ref, error) {
	var refs []Ref
	err := eachPid(data, func(pid any) error {
		r, err := refOf(pid)
		if err != nil {
			return err
		}
		refs = append(refs, r)
		return nil
	})
	return refs, err
}

// refsSlow is Refs through og-rek.
func refsSlow(data []byte) ([]zodb.Oid, error) {
	var oids []zodb.Oid
	err := eachPid(data, func(pid any) error {
		var x any
		switch p := pid.(type) {
		case []any:
			return nil
		case ogórek.Tuple:
			if len(p) == 0 {
				return errors.New("empty reference tuple")
			}
			x = p[0]
		default:
			x = pid
		}
		oid, err := oidOf(x)
		if err != nil {
			return err
		}
		oids = append(oids, oid)
		return nil
	})
	return oids, err
}

// eachPid calls f with every persistent id of a record, in order, as
// og-rek decodes them.
func eachPid(data []byte, f func(pid any) error) error {
	stream, err := rewriteRecord(data)
	if err != nil {
		return corrupt(err)
	}
	h := hook{loadRef: func(pid any) (any, error) {
		return ogórek.None{}, f(pid)
	}}
	_, err = h.run(stream, 2)
	return err
}

// refOf interprets a persistent id the way ZODB.serialize's
// ObjectReader._persistent_load does.
func refOf(pid any) (Ref, error) {
	switch p := pid.(type) {
	case ogórek.Tuple:
		if len(p) == 0 {
			return Ref{}, errors.New("empty reference tuple")
		}
		oid, err := oidOf(p[0])
		if err != nil {
			return Ref{}, err
		}
		r := Ref{Oid: oid}
		if len(p) > 1 {
			r.Class = className(p[1])
		}
		return r, nil
	case []any:
		return listRef(p)
	}
	oid, err := oidOf(pid)
	return Ref{Oid: oid}, err
}

// listRef interprets the list forms of a persistent id.
func listRef(p []any) (Ref, error) {
	if len(p) == 1 {
		oid, err := oidOf(p[0])
		return Ref{Oid: oid, Weak: true}, err
	}
	var kind string
	var args ogórek.Tuple
	if len(p) == 2 {
		kind, _ = asString(p[0])
		args, _ = p[1].(ogórek.Tuple)
	}
	var r Ref
	var err error
	switch {
	case kind == "w" && (len(args) == 1 || len(args) == 2):
		r.Weak = true
		r.Oid, err = oidOf(args[0])
		if err == nil && len(args) == 2 {
			r.Database, err = dbName(args[1])
		}
	case kind == "m" && len(args) == 3:
		r.Class = className(args[2])
		r.Database, err = dbName(args[0])
		if err == nil {
			r.Oid, err = oidOf(args[1])
		}
	case kind == "n" && len(args) == 2:
		r.Database, err = dbName(args[0])
		if err == nil {
			r.Oid, err = oidOf(args[1])
		}
	default:
		return Ref{}, fmt.Errorf("unknown reference form %s", Repr(p))
	}
	return r, err
}

// oidOf returns the oid an 8-byte string stands for. ZODB writes oids as
// bytes; a Python 2 str, and a Python 3 str that is all ASCII, are taken as
// their bytes the way ZODB's reader takes them.
func oidOf(v any) (zodb.Oid, error) {
	s, ok := asBytes(v)
	if _, text := v.(string); text && !isASCII(s) {
		ok = false // Python's s.encode('ascii') fails
	}
	if !ok || len(s) != 8 {
		return 0, fmt.Errorf("invalid oid %s in reference", Repr(v))
	}
	return zodb.Oid(binary.BigEndian.Uint64([]byte(s))), nil
}

func dbName(v any) (string, error) {
	s, ok := asString(v)
	if !ok {
		return "", fmt.Errorf("invalid database name %s in reference", Repr(v))
	}
	return s, nil
}

// className names the class a reference carries: a global, or the
// (module, name) pair of old records. A persistent class, itself a
// reference, has no name to give.
func className(v any) string {
	switch c := v.(type) {
	case ogórek.Class:
		return c.Module + "." + c.Name
	case ogórek.Tuple:
		if len(c) == 2 {
			m, ok1 := asString(c[0])
			n, ok2 := asString(c[1])
			if ok1 && ok2 {
				return m + "." + n
			}
		}
	}
	return ""
}

// asBytes returns the bytes of bytes, a Python 2 str or a Python 3 str.
func asBytes(v any) (string, bool) {
	switch s := v.(type) {
	case ogórek.Bytes:
		return string(s), true
	case ogórek.ByteString:
		return string(s), true
	case string:
		return s, true
	}
	return "", false
}

// asString returns the text of a Python 3 str or a Python 2 str.
func asString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case ogórek.ByteString:
		return string(s), true
	}
	return "", false
}
