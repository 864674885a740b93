package client

import (
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// ReadableCells counts the readable cells on running nodes in c's view
// of the partition table.
func ReadableCells(c *Client) int {
	v := c.view.Load()
	if v.pt == nil {
		return 0
	}
	n := 0
	for p := range v.pt.NumPartitions() {
		n += len(readCells(v, p))
	}
	return n
}

// NID is the node id the master gave c.
func NID(c *Client) proto.NID { return c.view.Load().nid }

// SetOpenUnreachable sets how long Open waits for a master that never
// answers, and returns a func restoring it.
func SetOpenUnreachable(d time.Duration) func() {
	old := openUnreachable
	openUnreachable = d
	return func() { openUnreachable = old }
}
