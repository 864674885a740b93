package simple

import (
	"context"
	"fmt"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// pollInterval is how often waitRunning asks the admin for the cluster
// state while the cluster is starting.
const pollInterval = 20 * time.Millisecond

// WaitRunning returns once the admin reports the cluster RUNNING, within
// ctx. It sees what the admin knows: right after StopStorage the admin
// may not have heard yet that the cluster left RUNNING.
func (c *Cluster) WaitRunning(ctx context.Context) error { return c.waitRunning(ctx) }

// waitRunning asks the admin for the cluster state, as neoctl does (no
// identification, one AskClusterState per connection), until it answers
// RUNNING. It fails early when a node exits during the wait.
func (c *Cluster) waitRunning(ctx context.Context) error {
	for {
		st, err := c.clusterState(ctx)
		if err == nil && st == proto.Running {
			return nil
		}
		if p := c.exitedProc(); p != nil {
			if p.err != nil {
				return fmt.Errorf("simple: waiting for the cluster to run: %s exited: %w", p.name, p.err)
			}
			return fmt.Errorf("simple: waiting for the cluster to run: %s exited", p.name)
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("cluster is %v", st)
			}
			return fmt.Errorf("simple: waiting for the cluster to run: %w (last: %v)", ctx.Err(), err)
		case <-time.After(pollInterval):
		}
	}
}

// clusterState asks the admin once.
func (c *Cluster) clusterState(ctx context.Context) (proto.ClusterState, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	l, err := link.Dial(ctx, "tcp", c.adminAddr, link.Options{TLS: c.tls})
	if err != nil {
		return 0, err
	}
	defer l.Close()
	a, err := l.Ask(ctx, &proto.NoArgs{PacketCode: proto.CodeAskClusterState})
	if err != nil {
		return 0, err
	}
	m, ok := a.(*proto.ClusterStateMsg)
	if !ok {
		return 0, fmt.Errorf("admin %s answered AskClusterState with %T", c.adminAddr, a)
	}
	return m.State, nil
}

// exitedProc returns a node that has exited, or nil.
func (c *Cluster) exitedProc() *proc {
	c.mu.Lock()
	procs := append([]*proc{c.mu.master, c.mu.admin}, c.mu.storages...)
	c.mu.Unlock()
	for _, p := range procs {
		if p == nil {
			continue
		}
		select {
		case <-p.done:
			return p
		default:
		}
	}
	return nil
}
