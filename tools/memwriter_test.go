package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/zodbneo/zodbneo/zodb"
)

// memWriter is a complete zodb.Writer in memory, for testing the write
// side of the tools without a storage driver. Records keep backpointers
// as FileStorage does: a record with nil data and a dataTid points to the
// record of the same oid in that transaction.
type memWriter struct {
	url      string
	readOnly bool
	// failVoteAt, when > 0, makes the Vote of that many-th transaction
	// (counting from 1) fail, as a full disk would.
	failVoteAt int

	mu      sync.Mutex
	txns    []memWTxn
	nextOid zodb.Oid
	votes   int
}

type memWTxn struct {
	info zodb.TxnInfo
	recs []memRec
}

type memRec struct {
	oid     zodb.Oid
	data    []byte // nil: a backpointer to dataTid, or a deletion when dataTid is 0
	dataTid zodb.Tid
}

var _ zodb.Writer = (*memWriter)(nil)

func newMemWriter() *memWriter { return &memWriter{url: "mem://w"} }

func (m *memWriter) URL() string  { return m.url }
func (m *memWriter) Name() string { return m.url }
func (m *memWriter) Close() error { return nil }

func (m *memWriter) Size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := int64(0)
	for _, t := range m.txns {
		for _, r := range t.recs {
			n += int64(len(r.data))
		}
	}
	return n
}

func (m *memWriter) Head() zodb.Tid {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.headLocked()
}

func (m *memWriter) headLocked() zodb.Tid {
	if len(m.txns) == 0 {
		return 0
	}
	return m.txns[len(m.txns)-1].info.Tid
}

func (m *memWriter) Sync(ctx context.Context) (zodb.Tid, error) { return m.Head(), nil }

func (m *memWriter) opErr(op string, args any, err error) error {
	return &zodb.OpError{URL: m.url, Op: op, Args: args, Err: err}
}

// lookupLocked returns the record of oid current at `at` and its tid.
func (m *memWriter) lookupLocked(oid zodb.Oid, at zodb.Tid) (*memRec, zodb.Tid) {
	for i := len(m.txns) - 1; i >= 0; i-- {
		t := &m.txns[i]
		if t.info.Tid > at {
			continue
		}
		for j := len(t.recs) - 1; j >= 0; j-- {
			if t.recs[j].oid == oid {
				return &t.recs[j], t.info.Tid
			}
		}
	}
	return nil, 0
}

// resolveLocked follows r's backpointers to its data: nil for a deletion.
func (m *memWriter) resolveLocked(r *memRec) []byte {
	for r.data == nil && r.dataTid != 0 {
		next, tid := m.lookupLocked(r.oid, r.dataTid)
		if next == nil || tid != r.dataTid {
			return nil
		}
		r = next
	}
	return r.data
}

func (m *memWriter) Load(ctx context.Context, xid zodb.Xid) ([]byte, zodb.Tid, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, tid := m.lookupLocked(xid.Oid, xid.At)
	if r == nil {
		return nil, 0, m.opErr("load", xid, &zodb.NoObjectError{Oid: xid.Oid})
	}
	data := m.resolveLocked(r)
	if data == nil {
		return nil, 0, m.opErr("load", xid, &zodb.NoDataError{Oid: xid.Oid, DeletedAt: tid})
	}
	return append([]byte(nil), data...), tid, nil
}

func (m *memWriter) History(ctx context.Context, oid zodb.Oid, at zodb.Tid, size int) ([]zodb.RevInfo, error) {
	return nil, m.opErr("history", oid, errors.New("not implemented"))
}

// Iterate iterates over the transactions committed when it is called.
func (m *memWriter) Iterate(ctx context.Context, tidMin, tidMax zodb.Tid) zodb.Iterator {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := &memWIter{}
	for i := range m.txns {
		t := &m.txns[i]
		if t.info.Tid < tidMin || t.info.Tid > tidMax {
			continue
		}
		var recs []zodb.DataInfo
		for j := range t.recs {
			r := &t.recs[j]
			recs = append(recs, zodb.DataInfo{Oid: r.oid, Tid: t.info.Tid, Data: m.resolveLocked(r), DataTid: r.dataTid})
		}
		it.txns = append(it.txns, memTxn{info: t.info, recs: recs})
	}
	return it
}

type memWIter struct {
	txns []memTxn
	data memDataIter
}

func (it *memWIter) NextTxn(ctx context.Context) (*zodb.TxnInfo, zodb.DataIterator, error) {
	if len(it.txns) == 0 {
		return nil, nil, io.EOF
	}
	t := &it.txns[0]
	it.txns = it.txns[1:]
	it.data = memDataIter{recs: t.recs, errAt: -1, buf: it.data.buf}
	return &t.info, &it.data, nil
}

func (m *memWriter) NewOid(ctx context.Context) (zodb.Oid, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextOid++
	return m.nextOid, nil
}

func (m *memWriter) Begin(ctx context.Context, meta zodb.TxnMeta) (zodb.Txn, error) {
	if m.readOnly {
		return nil, m.opErr("begin", nil, zodb.ErrReadOnly)
	}
	return &memTxnW{m: m, meta: meta}, nil
}

func (m *memWriter) BeginRestore(ctx context.Context, info *zodb.TxnInfo) (zodb.RestoreTxn, error) {
	if m.readOnly {
		return nil, m.opErr("restore", info.Tid, zodb.ErrReadOnly)
	}
	if head := m.Head(); info.Tid <= head {
		return nil, m.opErr("restore", info.Tid, fmt.Errorf("%w: %s <= %s", zodb.ErrTidOrder, info.Tid, head))
	}
	t := memWTxn{info: *info}
	t.info.User = append([]byte(nil), info.User...)
	t.info.Description = append([]byte(nil), info.Description...)
	t.info.Extension = append([]byte(nil), info.Extension...)
	return &memRestoreTxn{m: m, t: t}, nil
}

// vote counts a vote and fails it when told to.
func (m *memWriter) vote() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.votes++
	if m.votes == m.failVoteAt {
		return m.opErr("vote", nil, errors.New("no space left on device"))
	}
	return nil
}

// memTxnW is a new transaction: its changes and their base serials.
type memTxnW struct {
	m      *memWriter
	meta   zodb.TxnMeta
	recs   []memRec
	serial []zodb.Tid
	voted  bool
}

func (t *memTxnW) Store(ctx context.Context, oid zodb.Oid, serial zodb.Tid, data []byte) error {
	t.recs = append(t.recs, memRec{oid: oid, data: append([]byte{}, data...)})
	t.serial = append(t.serial, serial)
	return nil
}

func (t *memTxnW) Delete(ctx context.Context, oid zodb.Oid, serial zodb.Tid) error {
	t.recs = append(t.recs, memRec{oid: oid})
	t.serial = append(t.serial, serial)
	return nil
}

func (t *memTxnW) CheckCurrent(ctx context.Context, oid zodb.Oid, serial zodb.Tid) error {
	return errors.New("memWriter: CheckCurrent not implemented")
}

// Vote checks each change's serial against the committed one, as
// FileStorage does: a deleted object's committed serial is its deletion's.
func (t *memTxnW) Vote(ctx context.Context) error {
	if err := t.m.vote(); err != nil {
		return err
	}
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	for i, r := range t.recs {
		_, committed := t.m.lookupLocked(r.oid, zodb.TidMax)
		if committed != t.serial[i] {
			return t.m.opErr("vote", nil, &zodb.ConflictError{Oid: r.oid, Committed: committed, Based: t.serial[i]})
		}
	}
	t.voted = true
	return nil
}

func (t *memTxnW) Finish(ctx context.Context) (zodb.Tid, error) {
	if !t.voted {
		return 0, errors.New("memWriter: Finish before Vote")
	}
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	tid := t.m.headLocked() + 0x1000
	t.m.txns = append(t.m.txns, memWTxn{info: zodb.TxnInfo{Tid: tid, Status: zodb.TxnComplete,
		User: t.meta.User, Description: t.meta.Description, Extension: t.meta.Extension}, recs: t.recs})
	return tid, nil
}

func (t *memTxnW) Abort() {}

type memRestoreTxn struct {
	m     *memWriter
	t     memWTxn
	voted bool
}

func (t *memRestoreTxn) Restore(ctx context.Context, oid zodb.Oid, data []byte, dataTid zodb.Tid) error {
	if data == nil && dataTid != 0 {
		t.m.mu.Lock()
		_, tid := t.m.lookupLocked(oid, dataTid)
		t.m.mu.Unlock()
		if tid != dataTid {
			return t.m.opErr("restore", oid, fmt.Errorf("no record of %s in txn %s", oid, dataTid))
		}
	}
	if data != nil {
		data = append([]byte{}, data...)
	}
	t.t.recs = append(t.t.recs, memRec{oid: oid, data: data, dataTid: dataTid})
	return nil
}

func (t *memRestoreTxn) Vote(ctx context.Context) error {
	if err := t.m.vote(); err != nil {
		return err
	}
	t.voted = true
	return nil
}

func (t *memRestoreTxn) Finish(ctx context.Context) error {
	if !t.voted {
		return errors.New("memWriter: Finish before Vote")
	}
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	if t.t.info.Tid <= t.m.headLocked() {
		return t.m.opErr("restore", t.t.info.Tid, zodb.ErrTidOrder)
	}
	t.m.txns = append(t.m.txns, t.t)
	return nil
}

func (t *memRestoreTxn) Abort() {}
