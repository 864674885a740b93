package fs1

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/zodbneo/zodbneo/zodb"
)

// txn is a transaction being committed or restored. Its records are
// encoded as they come, into buf, after room left for the transaction
// header: Vote fills in the header and the fields that depend on where
// and when the transaction lands (tid, previous record, transaction
// position), appends the redundant length and writes buf in one call.
type txn struct {
	fs      *FileStorage
	restore bool
	head    TxnHeader // a commit's Tid is set at Vote

	mu     sync.Mutex // guards head.Tid and the fields below
	state  txnState
	buf    []byte
	recs   []txnRec
	checks []txnRec // CheckCurrent's: only checked
	pos    int64    // where Vote wrote the transaction
}

type txnState int

const (
	txnOpen txnState = iota
	txnVoted
	txnDone // finished or aborted
)

// txnRec is one data record of a transaction, or one read to check.
type txnRec struct {
	oid   zodb.Oid
	off   int      // where its header starts in buf
	check bool     // Vote checks that serial is oid's current revision
	read  bool     // the check is a read conflict check (CheckCurrent)
	del   bool     // a deletion by Delete: oid must exist
	based zodb.Tid // the revision the change is based on
	// seen is oid's current record when the record was added, and its
	// tid: Vote rereads the tid only when the index moved on since.
	seenPos int64
	seenTid zodb.Tid
}

func newTxn(fs *FileStorage, restore bool, h TxnHeader) *txn {
	t := &txn{fs: fs, restore: restore, head: h}
	if b, ok := txnBufs.Get().(*[]byte); ok {
		t.buf = *b
	}
	t.buf = append(t.buf[:0], make([]byte, h.HeaderLen())...)
	return t
}

// txnBufs keeps the buffers of ended transactions for new ones: a commit
// then allocates little, and a copy of big transactions does not grow a
// buffer from scratch each time.
var txnBufs sync.Pool

// maxPooledBuf is the largest buffer kept: a huge transaction's buffer is
// left to the garbage collector.
const maxPooledBuf = 4 << 20

// freeBuf gives t's buffer back to the pool. REQUIRES: t.mu held, t ended.
func (t *txn) freeBuf() {
	if b := t.buf; b != nil && cap(b) <= maxPooledBuf {
		b = b[:0]
		txnBufs.Put(&b)
	}
	t.buf, t.recs, t.checks = nil, nil, nil
}

// add encodes a data record for oid in buf. back is the backpointer
// written when data is empty.
func (t *txn) add(r txnRec, data []byte, back int64) {
	r.off = len(t.buf)
	h := DataHeader{Oid: r.oid, BackPos: back}
	t.buf = AppendDataRecord(t.buf, &h, data)
	t.recs = append(t.recs, r)
}

// errState says why a transaction in state s cannot do op.
func errState(op string, s txnState) error {
	switch s {
	case txnVoted:
		return fmt.Errorf("fs1: %s after Vote", op)
	case txnDone:
		return fmt.Errorf("fs1: %s after the transaction finished or aborted", op)
	}
	return fmt.Errorf("fs1: %s before Vote", op)
}

// current returns the position of oid's current record and the tid that
// wrote it; 0, 0 when oid has none.
func (fs *FileStorage) current(oid zodb.Oid) (int64, zodb.Tid, error) {
	f, pos, ok := fs.lookup(oid)
	if !ok {
		return 0, 0, nil
	}
	tid, err := f.recordTid(pos, oid)
	return pos, tid, err
}

// recordTid reads the tid of the data record of oid at pos.
func (f *File) recordTid(pos int64, oid zodb.Oid) (zodb.Tid, error) {
	var b [dataOffPrev]byte
	if pos < minRecordPos || pos > f.Size()-DataHeaderLen {
		return 0, f.recErr(pos, corruptf("invalid data record position (file size %d)", f.Size()))
	}
	if err := f.readAt(b[:], pos); err != nil {
		return 0, err
	}
	if got := zodb.Oid(be(b[:]).u64(dataOffOid)); got != oid {
		return 0, f.recErr(pos, corruptf("record of oid %s where oid %s was expected", got, oid))
	}
	return zodb.Tid(be(b[:]).u64(dataOffTid)), nil
}

// checkRec checks r against the committed state, where oid's current
// record is at pos: a change or read based on another revision conflicts.
// REQUIRES: commit lock held, so that pos and fs.file stay current.
func (fs *FileStorage) checkRec(r *txnRec, pos int64) error {
	tid := r.seenTid
	if pos != r.seenPos {
		tid = 0
		if pos != 0 {
			var err error
			if tid, err = fs.file.recordTid(pos, r.oid); err != nil {
				return err
			}
		}
	}
	if r.del && pos == 0 {
		return &zodb.NoObjectError{Oid: r.oid}
	}
	if tid != r.based {
		return &zodb.ConflictError{Oid: r.oid, Committed: tid, Based: r.based, Read: r.read}
	}
	return nil
}

// build fills in the header and the records of buf for a transaction
// written at pos with tid, each record's previous record taken from prev
// (one per record), and appends the redundant length. The status is 'c'
// until Finish.
func (t *txn) build(pos int64, prev []int64) error {
	h := &t.head
	h.Len = TxnLen(h, int64(len(t.buf))-h.HeaderLen())
	st := h.Status
	h.Status = zodb.TxnInprogress
	_, err := AppendTxnHeader(t.buf[:0], h)
	h.Status = st
	if err != nil {
		return err
	}
	for i, r := range t.recs {
		d := t.buf[r.off:]
		binary.BigEndian.PutUint64(d[dataOffTid:], uint64(h.Tid))
		binary.BigEndian.PutUint64(d[dataOffPrev:], uint64(prev[i]))
		binary.BigEndian.PutUint64(d[dataOffTxnPos:], uint64(pos))
	}
	t.buf = AppendTxnTrailer(t.buf, h.Len)
	return nil
}

var errEmptyData = errors.New("fs1: empty data: an object record is at least a class pickle")
