package fs1

import (
	"context"

	"github.com/zodbneo/zodbneo/zodb"
)

// loadBufLen is how many bytes Load reads at a record: its header,
// backpointer and, for most objects, all their data, so that loading a
// current object takes one read and one allocation.
const loadBufLen = 512

// Load returns the revision of xid.Oid current at xid.At and its serial,
// following backpointers to the data, as Python's loadBefore(oid, At+1).
//
// Errors, wrapped in *zodb.OpError: *zodb.NoObjectError when the oid is not
// in the index or has no revision up to xid.At, *zodb.NoDataError when the
// revision deletes the object (itself, or by a backpointer chain ending in
// a deletion), a *RecordError when a record is corrupt.
func (fs *FileStorage) Load(_ context.Context, xid zodb.Xid) ([]byte, zodb.Tid, error) {
	data, serial, err := fs.load(xid)
	if err != nil {
		return nil, 0, &zodb.OpError{URL: fs.url, Op: "load", Args: xid, Err: err}
	}
	return data, serial, nil
}

func (fs *FileStorage) load(xid zodb.Xid) ([]byte, zodb.Tid, error) {
	f, pos, ok := fs.lookup(xid.Oid)
	if !ok {
		return nil, 0, &zodb.NoObjectError{Oid: xid.Oid}
	}
	var buf [loadBufLen]byte
	var h DataHeader
	b, err := f.revisionAt(&h, pos, xid, buf[:])
	if err != nil {
		return nil, 0, err
	}
	serial := h.Tid
	if h.DataLen == 0 {
		if b, err = f.chainEnd(&h, buf[:]); err != nil {
			return nil, 0, err
		}
		if b == nil {
			return nil, 0, &zodb.NoDataError{Oid: xid.Oid, DeletedAt: serial}
		}
	}
	data := make([]byte, h.DataLen)
	n := copy(data, b[DataHeaderLen:])
	if n < len(data) {
		if err := f.readAt(data[n:], h.DataPos()+int64(n)); err != nil {
			return nil, 0, err
		}
	}
	return data, serial, nil
}

// revisionAt walks the revisions of xid.Oid from the record at pos back
// to the first one written at or before xid.At, and decodes it into h. It
// returns the bytes read at the record (see readRecord).
func (f *File) revisionAt(h *DataHeader, pos int64, xid zodb.Xid, buf []byte) ([]byte, error) {
	for {
		b, err := f.readRecord(h, pos, buf)
		if err != nil {
			return nil, err
		}
		if h.Oid != xid.Oid {
			return nil, f.recErr(pos, corruptf("record of oid %s where oid %s was expected", h.Oid, xid.Oid))
		}
		if h.Tid <= xid.At {
			return b, nil
		}
		if h.PrevRevPos == 0 {
			return nil, &zodb.NoObjectError{Oid: xid.Oid}
		}
		pos = h.PrevRevPos
	}
}

// chainEnd follows the backpointers of h, a record without data, and
// leaves in h the record holding the data. It returns the bytes read at
// that record, or nil when the chain ends in a deletion.
func (f *File) chainEnd(h *DataHeader, buf []byte) ([]byte, error) {
	oid := h.Oid
	for h.DataLen == 0 {
		if h.BackPos == 0 {
			return nil, nil
		}
		from := h.Pos
		b, err := f.readRecord(h, h.BackPos, buf)
		if err != nil {
			return nil, err
		}
		if h.Oid != oid {
			return nil, f.recErr(from, corruptf("oid %s: backpointer to a record of oid %s", oid, h.Oid))
		}
		if h.DataLen != 0 {
			return b, nil
		}
	}
	return nil, nil
}

// readRecord reads up to len(buf) bytes of the data record at pos into buf
// and decodes its header (and backpointer) into h. It returns the bytes
// read: the header followed by the start of the data.
func (f *File) readRecord(h *DataHeader, pos int64, buf []byte) ([]byte, error) {
	size := f.Size()
	if pos < minRecordPos || pos > size-DataHeaderLen {
		return nil, f.recErr(pos, corruptf("invalid data record position (file size %d)", size))
	}
	b := buf[:min(int64(len(buf)), size-pos)]
	if err := f.readAt(b, pos); err != nil {
		return nil, err
	}
	if err := f.decodeDataHeader(h, b, pos, size); err != nil {
		return nil, err
	}
	return b, nil
}

// History returns up to size revisions of oid, newest first, starting at
// the one current at `at`. A revision's Size is the length of its data,
// following backpointers; 0 for a deletion.
//
// Errors, wrapped in *zodb.OpError: *zodb.NoObjectError when oid has no
// revision up to at, a *RecordError when a record is corrupt.
func (fs *FileStorage) History(_ context.Context, oid zodb.Oid, at zodb.Tid, size int) ([]zodb.RevInfo, error) {
	revs, err := fs.history(oid, at, size)
	if err != nil {
		return nil, &zodb.OpError{URL: fs.url, Op: "history", Args: zodb.Xid{At: at, Oid: oid}, Err: err}
	}
	return revs, nil
}

func (fs *FileStorage) history(oid zodb.Oid, at zodb.Tid, size int) ([]zodb.RevInfo, error) {
	f, pos, ok := fs.lookup(oid)
	if !ok {
		return nil, &zodb.NoObjectError{Oid: oid}
	}
	var buf [DataHeaderLen + backPtrLen]byte
	var h DataHeader
	if _, err := f.revisionAt(&h, pos, zodb.Xid{At: at, Oid: oid}, buf[:]); err != nil {
		return nil, err
	}
	var revs []zodb.RevInfo
	for len(revs) < size {
		rev, err := f.revInfo(&h)
		if err != nil {
			return nil, err
		}
		revs = append(revs, rev)
		if h.PrevRevPos == 0 {
			break
		}
		if _, err := f.readRecord(&h, h.PrevRevPos, buf[:]); err != nil {
			return nil, err
		}
		if h.Oid != oid {
			return nil, f.recErr(h.Pos, corruptf("record of oid %s where oid %s was expected", h.Oid, oid))
		}
	}
	return revs, nil
}

// revInfo describes the revision h with its transaction's metadata.
func (f *File) revInfo(h *DataHeader) (zodb.RevInfo, error) {
	th, err := f.ReadTxnHeader(h.TxnPos)
	if err != nil {
		return zodb.RevInfo{}, err
	}
	if th.Tid != h.Tid {
		return zodb.RevInfo{}, f.recErr(h.Pos, corruptf("oid %s: tid %s in transaction %s", h.Oid, h.Tid, th.Tid))
	}
	d, err := f.ResolveData(h)
	if err != nil {
		return zodb.RevInfo{}, err
	}
	rev := zodb.RevInfo{Tid: h.Tid, User: th.User, Description: th.Description}
	if d != nil {
		rev.Size = int(d.DataLen)
	}
	return rev, nil
}
