package proto

import "fmt"

// Extra is what nodes put in RequestIdentification's extra map (keys are
// bin on the wire): a storage's devpath and new_nid, an admin's or a
// backup client's backup names, a client's read_only. Unknown keys are
// ignored.
type Extra struct {
	Devpath     []string
	NewNID      []uint32
	Backup      []string
	HasBackup   bool // the key is present (even with an empty list)
	ReadOnly    bool
	HasReadOnly bool
}

// ParseExtra decodes RequestIdentification's extra map. nil (an absent
// map) is an empty Extra.
func ParseExtra(r Raw) (Extra, error) {
	var e Extra
	if len(r) == 0 {
		return e, nil
	}
	d := dec{b: r}
	n := d.mapLen()
	for i := 0; i < n && d.err == nil; i++ {
		switch k := string(d.bin()); k {
		case "devpath":
			e.Devpath = d.strs()
		case "new_nid":
			if !d.peekNil() {
				e.NewNID = d.u32s("partition")
			}
		case "backup":
			// An admin sends the list of the backup clusters it watches,
			// a backup cluster's master (as a client) its name.
			e.HasBackup = true
			switch {
			case d.peekNil():
			case d.peekBin():
				e.Backup = []string{d.str()}
			default:
				e.Backup = d.strs()
			}
		case "read_only":
			e.HasReadOnly = true
			e.ReadOnly = d.bool()
		default:
			d.next()
		}
	}
	if err := d.end(); err != nil {
		return Extra{}, fmt.Errorf("proto: identification extra: %w", err)
	}
	return e, nil
}

// peekBin reports whether the next object is a bin or a str.
func (d *dec) peekBin() bool {
	if d.err != nil || d.off >= len(d.b) {
		return false
	}
	c := d.b[d.off]
	return c&0xe0 == 0xa0 || (c >= 0xc4 && c <= 0xc6) || (c >= 0xd9 && c <= 0xdb)
}

func (d *dec) strs() []string {
	if d.peekNil() {
		return nil
	}
	n := d.arrayLen()
	l := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		l = append(l, d.str())
	}
	return l
}

// AppendExtra encodes e as NEO/py nodes send it: only the keys set, in
// the order devpath, new_nid, backup, read_only.
func AppendExtra(b []byte, e Extra) []byte {
	n := 0
	if e.Devpath != nil {
		n++
	}
	if e.NewNID != nil {
		n++
	}
	if e.HasBackup {
		n++
	}
	if e.HasReadOnly {
		n++
	}
	b = appendMap(b, n)
	strs := func(b []byte, l []string) []byte {
		b = appendArray(b, len(l))
		for _, s := range l {
			b = appendBin(b, []byte(s))
		}
		return b
	}
	if e.Devpath != nil {
		b = strs(appendBin(b, []byte("devpath")), e.Devpath)
	}
	if e.NewNID != nil {
		b = appendU32s(appendBin(b, []byte("new_nid")), e.NewNID)
	}
	if e.HasBackup {
		b = strs(appendBin(b, []byte("backup")), e.Backup)
	}
	if e.HasReadOnly {
		b = appendBool(appendBin(b, []byte("read_only")), e.ReadOnly)
	}
	return b
}
