package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// History returns up to size revisions of oid, newest first, from the
// one current at `at`: AskObjectHistory pages, then the metadata of each
// revision's transaction (AskTransactionInformation), as NEO/py's
// history. Each revision is loaded too, for its size: storages report
// that of the stored (maybe compressed) record.
//
// Errors, wrapped in *zodb.OpError: *zodb.NoObjectError when oid has no
// revision up to at.
func (c *Client) History(ctx context.Context, oid zodb.Oid, at zodb.Tid, size int) ([]zodb.RevInfo, error) {
	revs, err := c.history(ctx, oid, at, size)
	if err != nil {
		return nil, c.opError("history", zodb.Xid{At: at, Oid: oid}, err)
	}
	return revs, nil
}

func (c *Client) history(ctx context.Context, oid zodb.Oid, at zodb.Tid, size int) ([]zodb.RevInfo, error) {
	if size <= 0 {
		return nil, nil
	}
	v, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	if h := c.cache.head(); at > h {
		at = h
	}
	p := oidPartition(v, oid)
	var revs []zodb.RevInfo
	page := int64(size)
	if page < 16 {
		page = 16
	}
	for first := int64(0); len(revs) < size; first += page {
		m, err := c.askRead(ctx, p, &proto.AskObjectHistory{Oid: oid, First: first, Last: first + page})
		if err != nil {
			if ea, ok := err.(*link.ErrorAnswer); ok && (ea.Code == proto.OidNotFound || ea.Code == proto.OidDoesNotExist) {
				break
			}
			return nil, err
		}
		ans, ok := m.(*proto.AnswerObjectHistory)
		if !ok {
			return nil, fmt.Errorf("neo: AskObjectHistory %s answered with %v", oid, m)
		}
		for _, h := range ans.History {
			if h.Serial > at || len(revs) >= size {
				continue
			}
			revs = append(revs, zodb.RevInfo{Tid: h.Serial})
		}
		if int64(len(ans.History)) < page {
			break
		}
	}
	if len(revs) == 0 {
		return nil, &zodb.NoObjectError{Oid: oid}
	}
	if err := c.describeRevs(ctx, oid, revs); err != nil {
		return nil, err
	}
	return revs, nil
}

// describeRevs fills in each revision's transaction metadata and size,
// asked together. The size storages give in AskObjectHistory is that of
// the stored, maybe compressed, record: the data's is what RevInfo says,
// so each revision is loaded.
func (c *Client) describeRevs(ctx context.Context, oid zodb.Oid, revs []zodb.RevInfo) error {
	errs := make([]error, len(revs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range revs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := &revs[i]
			info, err := c.txnInfo(ctx, r.Tid)
			if err != nil {
				errs[i] = err
				return
			}
			r.User, r.Description = info.User, info.Description
			obj, err := c.loadObject(ctx, oid, r.Tid, proto.NoTid)
			if err != nil {
				errs[i] = err
				return
			}
			r.Size = len(obj.data)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// errTxnNotFound is a transaction a storage does not know (TID_NOT_FOUND).
type errTxnNotFound struct{ tid zodb.Tid }

func (e *errTxnNotFound) Error() string { return fmt.Sprintf("neo: transaction %s not found", e.tid) }

// txnInfo asks a storage of tid's partition for its metadata.
func (c *Client) txnInfo(ctx context.Context, tid zodb.Tid) (*proto.AnswerTransactionInformation, error) {
	v, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	m, err := c.askRead(ctx, v.pt.TidPartition(tid), &proto.TidMsg{PacketCode: proto.CodeAskTransactionInformation, Tid: tid})
	if err != nil {
		if ea, ok := err.(*link.ErrorAnswer); ok && ea.Code == proto.TidNotFound {
			return nil, &errTxnNotFound{tid}
		}
		return nil, err
	}
	ans, ok := m.(*proto.AnswerTransactionInformation)
	if !ok || ans.Tid != tid {
		return nil, fmt.Errorf("neo: AskTransactionInformation %s answered with %v", tid, m)
	}
	return ans, nil
}
