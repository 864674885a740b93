package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// iterChunk is how many transactions are listed at once, as NEO/py's
// iterator.
const iterChunk = 100

// Iterate returns an iterator over the committed transactions with
// tidMin <= tid <= tidMax, up to the head the client knows when
// iteration starts: per chunk, AskTIDsFrom to each partition merged, then
// per transaction AskTransactionInformation and AskObject at each record
// (asked together), as NEO/py's iterator.
func (c *Client) Iterate(ctx context.Context, tidMin, tidMax zodb.Tid) zodb.Iterator {
	return &iterator{c: c, next: tidMin, stop: tidMax}
}

type iterator struct {
	c          *Client
	next, stop zodb.Tid
	started    bool
	done       bool
	tids       []zodb.Tid
	ahead      []*txnFetch // transactions being read, in tid order
	info       zodb.TxnInfo
	data       dataIter
}

// readAhead is how many transactions an iterator reads ahead of its
// caller, so that a dump waits for one round trip now and then, not
// for two per transaction.
const readAhead = 8

// txnFetch is one transaction read in the background.
type txnFetch struct {
	done chan struct{}
	info zodb.TxnInfo
	recs []zodb.DataInfo
	err  error
}

func (it *iterator) NextTxn(ctx context.Context) (*zodb.TxnInfo, zodb.DataIterator, error) {
	c := it.c
	if !it.started {
		it.started = true
		if h := c.cache.head(); it.stop > h {
			it.stop = h
		}
	}
	for len(it.ahead) < readAhead {
		if len(it.tids) == 0 && !it.done {
			if err := it.fill(ctx); err != nil {
				if len(it.ahead) > 0 {
					break // report it once those are consumed
				}
				return nil, nil, c.opError("iterate", nil, err)
			}
		}
		if len(it.tids) == 0 {
			break
		}
		// Read ahead under the client's life, not the caller's ctx:
		// that one may be for this call only.
		f := &txnFetch{done: make(chan struct{})}
		go f.run(c.ctx, c, it.tids[0])
		it.ahead = append(it.ahead, f)
		it.tids = it.tids[1:]
	}
	if len(it.ahead) == 0 {
		return nil, nil, io.EOF
	}
	f := it.ahead[0]
	it.ahead = it.ahead[1:]
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, nil, c.opError("iterate", nil, ctx.Err())
	}
	if f.err != nil {
		return nil, nil, c.opError("iterate", f.info.Tid, f.err)
	}
	it.info = f.info
	it.data = dataIter{recs: f.recs}
	return &it.info, &it.data, nil
}

// run reads transaction tid: its metadata, then its records.
func (f *txnFetch) run(ctx context.Context, c *Client, tid zodb.Tid) {
	defer close(f.done)
	f.info.Tid = tid
	info, err := c.txnInfo(ctx, tid)
	if err != nil {
		f.err = err
		return
	}
	f.info = zodb.TxnInfo{Tid: tid, Status: zodb.TxnComplete, User: info.User, Description: info.Description, Extension: info.Extension}
	if info.Packed {
		f.info.Status = zodb.TxnPacked
	}
	f.recs, f.err = c.loadRecords(ctx, tid, info.Oids)
}

// fill lists the next chunk of tids: each partition's first ones from
// it.next, merged and cut to the chunk length.
func (it *iterator) fill(ctx context.Context) error {
	if it.next > it.stop {
		it.done = true
		return nil
	}
	v, err := it.c.ready(ctx)
	if err != nil {
		return err
	}
	np := v.pt.NumPartitions()
	lists := make([][]zodb.Tid, np)
	errs := make([]error, np)
	var wg sync.WaitGroup
	for p := range np {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := it.c.askRead(ctx, p, &proto.AskTIDsFrom{MinTid: it.next, MaxTid: it.stop, Length: iterChunk, Partition: p})
			if err != nil {
				errs[p] = err
				return
			}
			ans, ok := m.(*proto.TidList)
			if !ok {
				errs[p] = fmt.Errorf("neo: AskTIDsFrom answered with %v", m)
				return
			}
			lists[p] = ans.Tids
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var tids []zodb.Tid
	for _, l := range lists {
		tids = append(tids, l...)
	}
	slices.Sort(tids)
	tids = slices.Compact(tids)
	if len(tids) > iterChunk {
		tids = tids[:iterChunk]
	}
	if len(tids) < iterChunk {
		it.done = true
	} else {
		it.next = tids[len(tids)-1] + 1
	}
	it.tids = tids
	return nil
}

// loadRecords loads each oid's record written by tid, all asked at
// once. Records a storage no longer has (packed away) are skipped as
// NEO/py's iterator does.
func (c *Client) loadRecords(ctx context.Context, tid zodb.Tid, oids []zodb.Oid) ([]zodb.DataInfo, error) {
	recs := make([]zodb.DataInfo, len(oids))
	skip := make([]bool, len(oids))
	errs := make([]error, len(oids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i, oid := range oids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			obj, err := c.loadObject(ctx, oid, tid, proto.NoTid)
			if err != nil {
				var ne *zodb.NoObjectError
				if errors.As(err, &ne) {
					skip[i] = true
					return
				}
				errs[i] = err
				return
			}
			if obj.serial != tid {
				errs[i] = fmt.Errorf("neo: %s@%s: storage answered serial %s", oid, tid, obj.serial)
				return
			}
			r := zodb.DataInfo{Oid: oid, Tid: tid, Data: obj.data}
			if obj.dataSerial != proto.NoTid {
				r.DataTid = obj.dataSerial
			}
			recs[i] = r
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := recs[:0]
	for i, r := range recs {
		if !skip[i] {
			out = append(out, r)
		}
	}
	return out, nil
}

type dataIter struct {
	recs []zodb.DataInfo
	cur  zodb.DataInfo
}

func (d *dataIter) NextData(ctx context.Context) (*zodb.DataInfo, error) {
	if len(d.recs) == 0 {
		return nil, io.EOF
	}
	d.cur = d.recs[0]
	d.recs = d.recs[1:]
	return &d.cur, nil
}
