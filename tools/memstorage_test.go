package tools

import (
	"context"
	"errors"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// memStorage is a storage held in memory for unit tests: a list of
// transactions, and optionally an error iteration hits after them.
type memStorage struct {
	zodb.Storage // methods the tests do not need stay nil
	txns         []memTxn
	iterErr      error // returned by NextTxn after the last transaction
	dataErrAt    int   // with dataErr: NextData fails at this record of the last txn
	dataErr      error
}

type memTxn struct {
	info zodb.TxnInfo
	recs []zodb.DataInfo
}

func (s *memStorage) URL() string { return "mem://test" }

func (s *memStorage) Iterate(ctx context.Context, tidMin, tidMax zodb.Tid) zodb.Iterator {
	return &memIter{s: s, tidMin: tidMin, tidMax: tidMax}
}

type memIter struct {
	s              *memStorage
	tidMin, tidMax zodb.Tid
	i              int
	data           memDataIter // reused for every transaction, as drivers may
}

func (it *memIter) NextTxn(ctx context.Context) (*zodb.TxnInfo, zodb.DataIterator, error) {
	for ; it.i < len(it.s.txns); it.i++ {
		t := &it.s.txns[it.i]
		if t.info.Tid < it.tidMin || t.info.Tid > it.tidMax {
			continue
		}
		it.i++
		di := &it.data
		*di = memDataIter{recs: t.recs, errAt: -1, buf: di.buf}
		if it.i == len(it.s.txns) && it.s.dataErr != nil {
			di.errAt, di.err = it.s.dataErrAt, it.s.dataErr
		}
		return &t.info, di, nil
	}
	if it.s.iterErr != nil {
		return nil, nil, it.s.iterErr
	}
	return nil, nil, io.EOF
}

type memDataIter struct {
	recs  []zodb.DataInfo
	i     int
	errAt int
	err   error
	buf   []byte
	d     zodb.DataInfo
}

func (it *memDataIter) NextData(ctx context.Context) (*zodb.DataInfo, error) {
	if it.i == it.errAt {
		return nil, it.err
	}
	if it.i >= len(it.recs) {
		return nil, io.EOF
	}
	it.i++
	// hand out a record and data that the next call overwrites, as
	// drivers may
	it.d = it.recs[it.i-1]
	if it.d.Data != nil {
		it.d.Data = append(it.buf[:0], it.d.Data...)
		it.buf = it.d.Data
	}
	return &it.d, nil
}

func (s *memStorage) Load(ctx context.Context, xid zodb.Xid) ([]byte, zodb.Tid, error) {
	var data []byte
	var serial zodb.Tid
	found := false
	for _, t := range s.txns {
		if t.info.Tid > xid.At {
			break
		}
		for _, r := range t.recs {
			if r.Oid == xid.Oid {
				data, serial, found = r.Data, t.info.Tid, true
			}
		}
	}
	if !found {
		return nil, 0, &zodb.OpError{URL: s.URL(), Op: "load", Args: xid, Err: &zodb.NoObjectError{Oid: xid.Oid}}
	}
	if data == nil {
		return nil, 0, &zodb.OpError{URL: s.URL(), Op: "load", Args: xid, Err: &zodb.NoDataError{Oid: xid.Oid, DeletedAt: serial}}
	}
	return append([]byte(nil), data...), serial, nil
}

var errTorn = errors.New("torn record at 1234")

func (s *memStorage) Name() string { return "mem.fs" }
func (s *memStorage) Size() int64  { return 4242 }
func (s *memStorage) Head() zodb.Tid {
	if len(s.txns) == 0 {
		return 0
	}
	return s.txns[len(s.txns)-1].info.Tid
}
