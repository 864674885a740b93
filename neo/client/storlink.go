package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// storLinks are the links to storage nodes, opened when first needed.
type storLinks struct {
	sync.Mutex
	m map[proto.NID]*storConn
}

// storConn is a link to one storage node, being dialed until done is
// closed; then l or err is set.
type storConn struct {
	done chan struct{}
	l    *link.Link
	err  error
}

// drop closes the link to nid, if any (the node left or went down).
func (s *storLinks) drop(nid proto.NID) {
	s.Lock()
	sc := s.m[nid]
	delete(s.m, nid)
	s.Unlock()
	if sc != nil {
		go func() {
			<-sc.done
			if sc.l != nil {
				sc.l.Close()
			}
		}()
	}
}

func (s *storLinks) closeAll() {
	s.Lock()
	m := s.m
	s.m = map[proto.NID]*storConn{}
	s.Unlock()
	for _, sc := range m {
		<-sc.done
		if sc.l != nil {
			sc.l.Close()
		}
	}
}

// storage returns a link to storage node nid, dialing and identifying
// it if there is none yet, with the NID and id_timestamp the master gave.
func (c *Client) storage(ctx context.Context, v *view, nid proto.NID) (*link.Link, error) {
	c.stors.Lock()
	sc := c.stors.m[nid]
	if sc != nil {
		select {
		case <-sc.done:
			if sc.l != nil && sc.l.Err() == nil {
				c.stors.Unlock()
				return sc.l, nil
			}
			sc = nil // failed or down: dial again
		default:
		}
	}
	if sc == nil {
		sc = &storConn{done: make(chan struct{})}
		c.stors.m[nid] = sc
		c.stors.Unlock()
		sc.l, sc.err = c.dialStorage(v, nid)
		close(sc.done)
		if sc.err != nil {
			c.stors.Lock()
			if c.stors.m[nid] == sc {
				delete(c.stors.m, nid)
			}
			c.stors.Unlock()
		}
		return sc.l, sc.err
	}
	c.stors.Unlock()
	select {
	case <-sc.done:
		return sc.l, sc.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dialStorage opens a link to nid. It is bounded by the client's life,
// not a caller's context, as the link serves every caller.
func (c *Client) dialStorage(v *view, nid proto.NID) (*link.Link, error) {
	n, ok := v.nodes[nid]
	if !ok || n.Addr == nil {
		return nil, fmt.Errorf("neo: storage %v: address unknown", nid)
	}
	if n.State != proto.NodeRunning {
		return nil, fmt.Errorf("neo: storage %v is %v", nid, n.State)
	}
	addr := net.JoinHostPort(n.Addr.Host, strconv.Itoa(int(n.Addr.Port)))
	ctx, cancel := context.WithTimeout(c.ctx, readyTimeout)
	defer cancel()
	l, err := link.Dial(ctx, "tcp", addr, link.Options{
		Handler: link.HandlerFunc(c.serveStorage),
		TLS:     c.opt.TLS,
	})
	if err != nil {
		return nil, fmt.Errorf("neo: storage %v: %w", nid, err)
	}
	acc, err := l.Identify(ctx, &proto.RequestIdentification{
		NodeType: proto.Client, NID: v.nid, ClusterName: c.opt.Cluster,
		IDTimestamp: v.idTimestamp(), Extra: []byte{0x80},
	})
	if err == nil && acc.NodeType != proto.Storage {
		err = fmt.Errorf("%s is a %v node, not a storage", addr, acc.NodeType)
	}
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("neo: storage %v at %s: %w", nid, addr, err)
	}
	return l, nil
}

// serveStorage handles a storage's notifications: NotifyDeadlock.
func (c *Client) serveStorage(l *link.Link, req link.Request) {
	m, ok := req.Msg.(*proto.TidOid)
	if !ok || m.PacketCode != proto.CodeNotifyDeadlock {
		return
	}
	c.mu.Lock()
	t := c.mu.txns[m.TTid]
	c.mu.Unlock()
	if t != nil {
		t.deadlock(l, m.Oid)
	}
}

// readCells returns the NIDs of the readable cells of partition p on
// running nodes, in random order to spread the load as NEO/py does.
func readCells(v *view, p uint32) []proto.NID {
	var nids []proto.NID
	for _, cell := range v.pt.Rows[p] {
		if (cell.State == proto.UpToDate || cell.State == proto.Feeding) && v.nodes[cell.NID].State == proto.NodeRunning {
			nids = append(nids, cell.NID)
		}
	}
	if len(nids) > 1 {
		rand.Shuffle(len(nids), func(i, j int) { nids[i], nids[j] = nids[j], nids[i] })
	}
	return nids
}

// writeCells returns the NIDs of partition p's cells that take writes
// (every cell but corrupted ones) on running nodes.
func writeCells(v *view, p uint32) []proto.NID {
	var nids []proto.NID
	for _, cell := range v.pt.Rows[p] {
		if cell.State != proto.Corrupted && cell.State != proto.Discarded && v.nodes[cell.NID].State == proto.NodeRunning {
			nids = append(nids, cell.NID)
		}
	}
	return nids
}

// retryable reports whether a read failing with err may succeed on
// another cell: the link broke, or the cell is no longer readable.
func retryable(err error) bool {
	if ea, ok := err.(*link.ErrorAnswer); ok {
		return ea.Code == proto.NonReadableCell
	}
	return true
}

// askRead asks msg to a readable cell of partition p, trying the others
// when one fails, and once more after the table may have changed.
func (c *Client) askRead(ctx context.Context, p uint32, msg proto.Msg) (proto.Msg, error) {
	var lastErr error
	for round := 0; round < 3; round++ {
		v, err := c.ready(ctx)
		if err != nil {
			return nil, err
		}
		if p >= v.pt.NumPartitions() {
			return nil, fmt.Errorf("neo: partition %d out of %d", p, v.pt.NumPartitions())
		}
		nids := readCells(v, p)
		for _, nid := range nids {
			l, err := c.storage(ctx, v, nid)
			if err == nil {
				var m proto.Msg
				m, err = l.Ask(ctx, msg)
				if err == nil || !retryable(err) {
					return m, err
				}
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = err
		}
		if len(nids) == 0 {
			lastErr = fmt.Errorf("neo: no readable cell for partition %d", p)
		}
		if err := c.waitChange(ctx, v); err != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

// waitChange waits a little for the view to change from v (a table or
// node update), as NEO/py syncs with the master before retrying a read.
func (c *Client) waitChange(ctx context.Context, v *view) error {
	c.mu.Lock()
	ch := c.mu.changed
	c.mu.Unlock()
	if c.view.Load() != v {
		return nil
	}
	t := time.NewTimer(retryDelay)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return ErrClosed
	}
	return nil
}

func oidPartition(v *view, oid zodb.Oid) uint32 { return v.pt.OidPartition(oid) }
