package client

import (
	"context"
	"fmt"
	"sync"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// oidBatch is how many oids are asked at once, as NEO/py.
const oidBatch = 100

// oidPool holds oids the master gave out and not yet used.
type oidPool struct {
	sync.Mutex
	free []zodb.Oid
}

// NewOid returns a new oid, asking the master for a batch of 100 when
// the client has none left (oids given out and not used are lost, as in
// NEO/py).
//
// Errors, wrapped in *zodb.OpError: zodb.ErrReadOnly for a read-only
// client.
func (c *Client) NewOid(ctx context.Context) (zodb.Oid, error) {
	if c.opt.ReadOnly {
		return 0, c.opError("new oid", nil, zodb.ErrReadOnly)
	}
	c.oids.Lock()
	defer c.oids.Unlock()
	if len(c.oids.free) == 0 {
		m, err := c.askMaster(ctx, &proto.AskNewOIDs{NumOids: oidBatch})
		if err != nil {
			return 0, c.opError("new oid", nil, err)
		}
		ans, ok := m.(*proto.AnswerNewOIDs)
		if !ok || len(ans.Oids) == 0 {
			return 0, c.opError("new oid", nil, fmt.Errorf("neo: AskNewOIDs answered with %v", m))
		}
		c.oids.free = ans.Oids
	}
	oid := c.oids.free[0]
	c.oids.free = c.oids.free[1:]
	c.mu.Lock()
	c.mu.lastOid = oid
	c.mu.Unlock()
	return oid, nil
}

// Sync asks the master for the last transaction and waits until the
// client applied its invalidations (NEO/py pings the master as a
// barrier; here the answer tells what to wait for).
func (c *Client) Sync(ctx context.Context) (zodb.Tid, error) {
	m, err := c.askMaster(ctx, &proto.NoArgs{PacketCode: proto.CodeAskLastTransaction})
	if err != nil {
		return 0, c.opError("sync", nil, err)
	}
	ltid := m.(*proto.TidMsg).Tid
	if ltid == proto.NoTid {
		ltid = 0
	}
	for {
		c.mu.Lock()
		ch := c.mu.changed
		c.mu.Unlock()
		if h := c.cache.head(); h >= ltid {
			return h, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, c.opError("sync", nil, ctx.Err())
		case <-c.ctx.Done():
			return 0, c.opError("sync", nil, ErrClosed)
		}
	}
}
