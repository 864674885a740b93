package client

import (
	"context"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// BeginRestore starts copying a transaction with its tid: the master is
// asked AskBeginTransaction(tid) at the first record (or at Vote), one
// copy at a time in the client, after checking the tid is after the
// cluster's last one: copies racing for a tid fail with zodb.ErrTidOrder
// (the master would drop the link). Records with a DataTid are stored as
// backpointers (data_serial); metadata and extension go as given. NEO
// keeps no transaction status: a packed status is not copied.
func (c *Client) BeginRestore(ctx context.Context, info *zodb.TxnInfo) (zodb.RestoreTxn, error) {
	if c.opt.ReadOnly {
		return nil, c.opError("restore", info.Tid, zodb.ErrReadOnly)
	}
	if h := c.cache.head(); info.Tid <= h {
		return nil, c.opError("restore", info.Tid, fmt.Errorf("%w: %s, head %s", zodb.ErrTidOrder, info.Tid, h))
	}
	t := c.newTxn(zodb.TxnMeta{User: info.User, Description: info.Description, Extension: info.Extension})
	t.restore = true
	return &restoreTxn{t: t, tid: info.Tid}, nil
}

type restoreTxn struct {
	t     *txn
	tid   zodb.Tid
	begun bool
}

// start takes the restore lock, checks the tid against the cluster's last
// one (the master would drop the link on a tid not after it) and begins.
func (r *restoreTxn) start(ctx context.Context) error {
	if r.begun {
		return nil
	}
	t := r.t
	if err := t.lockRestore(ctx); err != nil {
		return err
	}
	head, err := t.c.Sync(ctx)
	if err != nil {
		return err
	}
	if r.tid <= head {
		t.end()
		return fmt.Errorf("%w: %s, head %s", zodb.ErrTidOrder, r.tid, head)
	}
	if err := t.begin(ctx, r.tid); err != nil {
		return err
	}
	r.begun = true
	return nil
}

func (r *restoreTxn) Restore(ctx context.Context, oid zodb.Oid, data []byte, dataTid zodb.Tid) error {
	if err := r.start(ctx); err != nil {
		return r.t.opErr("restore", oid, err)
	}
	t := r.t
	serial := t.c.restoreSerial(oid)
	var msg *proto.AskStoreObject
	switch {
	case dataTid != 0:
		msg = &proto.AskStoreObject{Oid: oid, Serial: serial, Checksum: zeroHash, Data: []byte{},
			DataSerial: dataTid, TTid: t.ttid}
	case data == nil:
		msg = &proto.AskStoreObject{Oid: oid, Serial: serial, Checksum: zeroHash, Data: []byte{},
			DataSerial: proto.NoTid, TTid: t.ttid}
		t.mu.Lock()
		t.mu.deleted = append(t.mu.deleted, oid)
		t.mu.Unlock()
	default:
		compression, payload := compress(data, t.c.opt.Compress)
		if compression == 0 {
			payload = append(make([]byte, 0, len(data)), data...)
		}
		sum := zodbSum(payload)
		msg = &proto.AskStoreObject{Oid: oid, Serial: serial, Compression: compression,
			Checksum: sum, Data: payload, DataSerial: proto.NoTid, TTid: t.ttid}
	}
	return t.opErr("restore", oid, t.write(ctx, oid, msg, false))
}

func (r *restoreTxn) Vote(ctx context.Context) error {
	if err := r.start(ctx); err != nil {
		return r.t.opErr("vote", r.tid, err)
	}
	return r.t.Vote(ctx)
}

func (r *restoreTxn) Finish(ctx context.Context) error {
	if err := r.start(ctx); err != nil {
		return r.t.opErr("finish", r.tid, err)
	}
	r.t.mu.Lock()
	oids := append([]zodb.Oid(nil), r.t.mu.oids...)
	r.t.mu.Unlock()
	tid, err := r.t.Finish(ctx)
	if err != nil {
		return err
	}
	if tid != r.tid {
		return r.t.opErr("finish", r.tid, fmt.Errorf("neo: restored transaction committed as %s", tid))
	}
	r.t.c.restored(oids, tid)
	return nil
}

func (r *restoreTxn) Abort() { r.t.Abort() }

// restoreSerial is the serial a restore of oid is based on: its last
// restored revision, or 0. A store based on a stale serial is retried
// with the serial the storage answers.
func (c *Client) restoreSerial(oid zodb.Oid) zodb.Tid {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.restored[oid]
}

// restored records the revisions a restore committed.
func (c *Client) restored(oids []zodb.Oid, tid zodb.Tid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.restored == nil {
		c.mu.restored = map[zodb.Oid]zodb.Tid{}
	}
	for _, oid := range oids {
		c.mu.restored[oid] = tid
	}
}
