package tools

import (
	"context"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// CatobjOptions say how Catobj shows an object revision. The zero value
// writes a dump's obj entry with the raw data.
type CatobjOptions struct {
	// HashOnly writes the obj entry without data, as `zodb dump --hashonly`.
	HashOnly bool
	// Raw writes the data alone, with no header and no trailing newline.
	Raw bool
	// Pretty is how the data of an obj entry is shown (PrettyRaw when
	// empty); it does not apply to Raw.
	Pretty Pretty
}

// Catobj writes the revision of xid.Oid current at xid.At: by default as
// the obj entry `zodb dump` would write for it ("obj <oid> <size>
// sha1:<hash>", newline, data, newline).
//
// Errors: the storage's, e.g. *zodb.NoObjectError or *zodb.NoDataError
// when there is no data at xid, wrapped; and HashOnly with Raw together.
func Catobj(ctx context.Context, w io.Writer, stor zodb.Loader, xid zodb.Xid, opt *CatobjOptions) error {
	if opt == nil {
		opt = &CatobjOptions{}
	}
	if opt.HashOnly && opt.Raw {
		return fmt.Errorf("tools: catobj: hashonly and raw are incompatible")
	}
	pretty := opt.Pretty
	if pretty == "" {
		pretty = PrettyRaw
	}
	if _, err := ParsePretty(string(pretty)); err != nil {
		return err
	}
	data, _, err := stor.Load(ctx, xid)
	if err != nil {
		return fmt.Errorf("tools: catobj %s: %w", xid, err)
	}
	if opt.Raw {
		_, err = w.Write(data)
	} else {
		err = writeObjEntry(w, xid.Oid, data, opt.HashOnly, pretty)
	}
	if err != nil {
		return fmt.Errorf("tools: catobj %s: %w", xid, err)
	}
	return nil
}

// writeObjEntry writes one obj entry of the dump format for data.
func writeObjEntry(w io.Writer, oid zodb.Oid, data []byte, hashOnly bool, pretty Pretty) error {
	l := appendHex64([]byte("obj "), uint64(oid))
	l = appendObjHash(l, data)
	if hashOnly {
		_, err := w.Write(append(l, " -\n"...))
		return err
	}
	if _, err := w.Write(append(l, '\n')); err != nil {
		return err
	}
	var err error
	if pretty == PrettyZPickleDis {
		err = disObject(w, data)
	} else {
		_, err = w.Write(data)
	}
	if err != nil {
		return err
	}
	_, err = w.Write([]byte{'\n'})
	return err
}
