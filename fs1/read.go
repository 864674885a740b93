package fs1

import (
	"io"
)

// ReadTxnHeader reads and checks the header of the transaction record at
// pos, with its metadata.
//
// It returns io.EOF when pos is the end of the file. Errors are
// *RecordError: torn (IsTorn) when the record runs past the end of the
// file, wrapping zodb.ErrCorrupt for an invalid status or length. A
// checkpoint transaction (status 'c') is returned like any other: callers
// that serve committed data stop there.
func (f *File) ReadTxnHeader(pos int64) (*TxnHeader, error) {
	h := new(TxnHeader)
	if err := f.readTxnHeader(h, pos, f.Size()); err != nil {
		return nil, err
	}
	return h, nil
}

func (f *File) readTxnHeader(h *TxnHeader, pos, size int64) error {
	if err := checkTxnPos(pos, size); err != nil {
		if err == io.EOF {
			return err
		}
		return f.recErr(pos, err)
	}
	var b [TxnHeaderFixLen]byte
	if err := f.readAt(b[:], pos); err != nil {
		return err
	}
	x := decodeTxnFix(b[:])
	if err := x.check(pos, size); err != nil {
		return f.recErr(pos, err)
	}
	meta := make([]byte, x.metaLen())
	if err := f.readAt(meta, pos+TxnHeaderFixLen); err != nil {
		return err
	}
	h.fill(pos, &x, meta)
	return nil
}

// checkTxnPos says whether a transaction header can start at pos in a file
// of the given size: io.EOF at the end, torn when the header is cut.
func checkTxnPos(pos, size int64) error {
	switch {
	case pos < FileHeaderLen:
		return corruptf("invalid transaction position")
	case pos == size || (pos == FileHeaderLen && size == 0):
		return io.EOF
	case pos > size:
		return corruptf("transaction position past the end of the file (size %d)", size)
	case size-pos < TxnHeaderFixLen:
		return tornf("transaction header cut after %d of %d bytes", size-pos, TxnHeaderFixLen)
	}
	return nil
}

// ReadTxnHeaderBefore reads the transaction record that ends at pos (the
// start of the next transaction, or the end of the file), finding it by
// its redundant length. It returns io.EOF when pos is the start of the
// first transaction.
//
// Errors are as for ReadTxnHeader, plus a zodb.ErrCorrupt when the two
// copies of the transaction's length differ.
func (f *File) ReadTxnHeaderBefore(pos int64) (*TxnHeader, error) {
	size := f.Size()
	tpos, err := f.txnPosBefore(pos, size)
	if err != nil {
		return nil, err
	}
	h := new(TxnHeader)
	if err := f.readTxnHeader(h, tpos, size); err != nil {
		return nil, err
	}
	if h.End() != pos {
		return nil, f.recErr(tpos, corruptf("transaction length %d does not match its redundant length %d", h.Len, pos-txnTrailerLen-tpos))
	}
	return h, nil
}

// txnPosBefore returns where the transaction ending at pos starts.
func (f *File) txnPosBefore(pos, size int64) (int64, error) {
	if err := checkTxnEnd(pos, size); err != nil {
		if err == io.EOF {
			return 0, err
		}
		return 0, f.recErr(pos, err)
	}
	var b [txnTrailerLen]byte
	if err := f.readAt(b[:], pos-txnTrailerLen); err != nil {
		return 0, err
	}
	return txnStartFromTrailer(be(b[:]).u64(0), pos, f.recErr)
}

// checkTxnEnd says whether a transaction can end at pos in a file of the
// given size: io.EOF at the start of the first transaction.
func checkTxnEnd(pos, size int64) error {
	switch {
	case pos == FileHeaderLen:
		return io.EOF
	case pos > size:
		return corruptf("transaction end past the end of the file (size %d)", size)
	case pos < FileHeaderLen+TxnHeaderFixLen+txnTrailerLen:
		return corruptf("invalid transaction end")
	}
	return nil
}

// txnStartFromTrailer returns the start of the transaction ending at end
// whose redundant length is tl.
func txnStartFromTrailer(tl uint64, end int64, recErr func(int64, error) error) (int64, error) {
	if tl > uint64(end-txnTrailerLen-FileHeaderLen) || tl < TxnHeaderFixLen {
		return 0, recErr(end-txnTrailerLen, corruptf("invalid redundant transaction length %d", tl))
	}
	return end - txnTrailerLen - int64(tl), nil
}

// ReadDataHeader reads and checks the header of the data record at pos,
// and its backpointer when it has no data of its own.
//
// Errors are *RecordError: torn (IsTorn) when the record runs past the
// end of the file, wrapping zodb.ErrCorrupt when a pointer does not point
// backwards or a version is set.
func (f *File) ReadDataHeader(pos int64) (*DataHeader, error) {
	h := new(DataHeader)
	if err := f.readDataHeader(h, pos); err != nil {
		return nil, err
	}
	return h, nil
}

func (f *File) readDataHeader(h *DataHeader, pos int64) error {
	size := f.Size()
	if pos < minRecordPos || pos > size {
		return f.recErr(pos, corruptf("invalid data record position"))
	}
	if size-pos < DataHeaderLen {
		return f.recErr(pos, tornf("data record header cut after %d of %d bytes", size-pos, DataHeaderLen))
	}
	var b [DataHeaderLen + backPtrLen]byte
	n := int64(len(b))
	if size-pos < n {
		n = size - pos
	}
	if err := f.readAt(b[:n], pos); err != nil {
		return err
	}
	return f.decodeDataHeader(h, b[:n], pos, size)
}

// decodeDataHeader decodes the data record header (and backpointer) at
// the start of b into h and checks it against a file of the given size.
func (f *File) decodeDataHeader(h *DataHeader, b []byte, pos, size int64) error {
	if err := h.decode(b, pos); err != nil {
		return f.recErr(pos, err)
	}
	if h.DataLen > size-pos-DataHeaderLen {
		return f.recErr(pos, tornf("oid %s: data of length %d runs past the end of the file (size %d)", h.Oid, h.DataLen, size))
	}
	if h.DataLen != 0 {
		return nil
	}
	if len(b) < DataHeaderLen+backPtrLen {
		return f.recErr(pos, tornf("oid %s: backpointer cut by the end of the file", h.Oid))
	}
	if err := h.decodeBack(b[DataHeaderLen:]); err != nil {
		return f.recErr(pos, err)
	}
	return nil
}

// ReadData returns the record's own data: nil for a record that holds a
// backpointer.
func (f *File) ReadData(h *DataHeader) ([]byte, error) {
	if h.DataLen == 0 {
		return nil, nil
	}
	data := make([]byte, h.DataLen)
	if err := f.readAt(data, h.DataPos()); err != nil {
		return nil, err
	}
	return data, nil
}

// ResolveData follows h's backpointers to the record that holds the data
// of the revision h is, and returns that record's header (h itself when h
// has data). It returns nil when the chain ends in a deletion. Chains end:
// every pointer goes strictly backwards.
func (f *File) ResolveData(h *DataHeader) (*DataHeader, error) {
	for h.DataLen == 0 {
		if h.BackPos == 0 {
			return nil, nil
		}
		b := new(DataHeader)
		if err := f.readDataHeader(b, h.BackPos); err != nil {
			return nil, err
		}
		if b.Oid != h.Oid {
			return nil, f.recErr(h.Pos, corruptf("oid %s: backpointer to a record of oid %s", h.Oid, b.Oid))
		}
		h = b
	}
	return h, nil
}

// LoadData returns the data of the revision h is: its own, or that at the
// end of its backpointer chain. It returns nil data when the chain ends in
// a deletion (or h deletes the object).
func (f *File) LoadData(h *DataHeader) ([]byte, error) {
	d, err := f.ResolveData(h)
	if d == nil || err != nil {
		return nil, err
	}
	return f.ReadData(d)
}
