package simple

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// ErrClosed is returned by the methods of a closed Cluster.
var ErrClosed = errors.New("simple: cluster closed")

// StopStorage stops storage i (0-based) and waits for it to exit; its
// database stays. The master sees the storage go DOWN as with a killed
// NEO/py storage.
func (c *Cluster) StopStorage(i int) error {
	c.mu.Lock()
	if err := c.checkStorageLocked(i); err != nil {
		c.mu.Unlock()
		return err
	}
	p := c.mu.storages[i]
	c.mu.storages[i] = nil
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("simple: storage %d is not running", i)
	}
	return p.stop()
}

// StartStorage starts storage i again, on its former address and
// database, after StopStorage. It returns once the node listens, not once
// the master has it back: callers wait for what they need.
func (c *Cluster) StartStorage(i int) error {
	c.mu.Lock()
	err := c.checkStorageLocked(i)
	if err == nil && c.mu.storages[i] != nil {
		err = fmt.Errorf("simple: storage %d is already running", i)
	}
	var addr string
	if err == nil {
		addr = c.storAddrs[i]
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.startStorage(i, addr)
}

// REQUIRES: c.mu held.
func (c *Cluster) checkStorageLocked(i int) error {
	if c.mu.closed {
		return ErrClosed
	}
	if i < 0 || i >= len(c.mu.storages) {
		return fmt.Errorf("simple: no storage %d (the cluster has %d)", i, len(c.mu.storages))
	}
	return nil
}

// RestartMaster stops the master and starts a new one on the same
// address, then waits (within ctx) until the cluster is RUNNING again:
// the storages and the admin reconnect on their own, and the new master
// recovers the partition table and last ids from the storages.
func (c *Cluster) RestartMaster(ctx context.Context) error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	old := c.mu.master
	c.mu.master = nil // watchMaster: this exit is ours
	c.mu.Unlock()
	if old != nil {
		if err := old.stop(); err != nil {
			c.log.Warn("master stopped with an error", "err", err)
		}
	}
	if _, err := c.startMaster(c.masterAddr); err != nil {
		return err
	}
	return c.waitRunning(ctx)
}

// Close stops every node, waits for them to exit and, when the work
// directory was a temporary one, removes it. It returns the first error a
// node exited with.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.mu.closed {
		c.mu.Unlock()
		return nil
	}
	c.mu.closed = true
	procs := append([]*proc{c.mu.admin, c.mu.master}, c.mu.storages...)
	c.mu.Unlock()
	// All at once: the nodes' own reconnection logic copes with peers
	// leaving in any order.
	for _, p := range procs {
		if p != nil {
			p.cancel()
		}
	}
	var first error
	for _, p := range procs {
		if p == nil {
			continue
		}
		if err := p.stop(); err != nil && first == nil {
			first = err
		}
	}
	c.markStopped(nil)
	if c.tempDir {
		if err := os.RemoveAll(c.dir); err != nil && first == nil {
			first = fmt.Errorf("simple: %w", err)
		}
	}
	return first
}
