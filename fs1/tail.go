package fs1

import (
	"errors"

	"github.com/zodbneo/zodbneo/zodb"
)

// ErrInProgress says that a transaction record has the checkpoint status
// 'c': it was being committed and was never finished, so it is not served.
var ErrInProgress = errors.New("transaction still being committed (status 'c')")

// TornTail is the end of a data file that the storage does not serve, as
// Python's FileStorage does not: a transaction cut by the end of the file
// (a crash in the middle of a commit), a checkpoint transaction never
// finished, or junk after the last transaction.
type TornTail struct {
	Pos int64    // where it starts: the storage's Size
	Tid zodb.Tid // the tid its transaction header holds, 0 if the header is cut
	// Err says what is there: a *RecordError wrapping io.ErrUnexpectedEOF
	// (torn), ErrInProgress, or zodb.ErrCorrupt (junk at the end).
	Err error
}

// tailAt decides what an error from an Iter's NextTxn at the transaction
// position pos means, with Python's read_index rules: a record that runs
// past the end of the file, a checkpoint whatever else is wrong with it,
// or a header too short for its metadata when the file's last redundant
// length does not vouch for what follows are the tail of the file, which
// is not served. Any other error
// is returned as is. The tail's Tid is what the header holds, the tid
// Python reports as lastTransaction.
func (f *File) tailAt(pos, size int64, err error) (*TornTail, error) {
	var fix [TxnHeaderFixLen]byte
	haveFix := size-pos >= TxnHeaderFixLen && f.readAt(fix[:], pos) == nil
	var x txnFix
	if haveFix {
		x = decodeTxnFix(fix[:])
	}
	switch {
	case IsTorn(err):
	case haveFix && x.status == zodb.TxnInprogress:
		// Python stops at a checkpoint before looking further.
		return &TornTail{Pos: pos, Tid: x.tid, Err: f.recErr(pos, ErrInProgress)}, nil
	case errors.Is(err, zodb.ErrCorrupt) && haveFix && x.tl < uint64(TxnHeaderFixLen+x.metaLen()):
		if !f.junkAfter(pos, size) {
			return nil, err
		}
	default:
		return nil, err
	}
	t := &TornTail{Pos: pos, Err: err}
	if haveFix {
		t.Tid = x.tid
	}
	return t, nil
}

// junkAfter tells, for a transaction header at pos too short for its own
// metadata, whether Python's read_index takes it for junk a crash left at
// the end of the file: the file's last 8 bytes, read as a transaction's
// redundant length, do not reach back to a transaction at or after pos.
func (f *File) junkAfter(pos, size int64) bool {
	var b [txnTrailerLen]byte
	if size < txnTrailerLen || f.readAt(b[:], size-txnTrailerLen) != nil {
		return true
	}
	rtl := be(b[:]).u64(0)
	return rtl > uint64(size) || size-int64(rtl) < pos || rtl < TxnHeaderFixLen
}

// inProgress returns the tail that a checkpoint transaction starts.
func (f *File) inProgress(h *TxnHeader) *TornTail {
	return &TornTail{Pos: h.Pos, Tid: h.Tid, Err: f.recErr(h.Pos, ErrInProgress)}
}
