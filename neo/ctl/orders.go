package ctl

import (
	"context"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// The verbs that change the cluster: the admin forwards them to the
// primary master, which answers ACK with a comment neoctl prints.

func ack(msg string, err error) (string, bool, error) { return msg, err == nil, err }

func setCluster(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 1, 1, "set cluster STATE"); err != nil {
		return "", false, err
	}
	s, err := parseClusterState(params[0])
	if err != nil {
		return "", false, err
	}
	return ack(c.SetClusterState(ctx, s))
}

func setReplicas(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 1, 1, "set replicas N"); err != nil {
		return "", false, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(params[0]), 10, 64)
	if err != nil {
		return "", false, usagef("invalid number of replicas %q", params[0])
	}
	if n < 0 || n > 1<<31 {
		return "", false, usagef("invalid number of replicas")
	}
	return ack(c.SetNumReplicas(ctx, uint32(n)))
}

func setNode(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 2, 2, "set node NID STATE"); err != nil {
		return "", false, err
	}
	nid, err := ParseNID(params[0])
	if err != nil {
		return "", false, err
	}
	s, err := parseNodeState(params[1])
	if err != nil {
		return "", false, err
	}
	return ack(c.SetNodeState(ctx, nid, s))
}

func start(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 0, "start"); err != nil {
		return "", false, err
	}
	return ack(c.StartCluster(ctx))
}

// storageList reads "all" (every storage the admin knows) or NIDs.
func storageList(ctx context.Context, c *Client, params []string) ([]proto.NID, error) {
	if len(params) == 1 && params[0] == "all" {
		nodes, err := c.NodeList(ctx, proto.Storage)
		if err != nil {
			return nil, err
		}
		nids := make([]proto.NID, len(nodes))
		for i, n := range nodes {
			nids[i] = n.NID
		}
		return nids, nil
	}
	return parseNIDs(params)
}

func parseNIDs(params []string) ([]proto.NID, error) {
	nids := make([]proto.NID, len(params))
	for i, p := range params {
		nid, err := ParseNID(p)
		if err != nil {
			return nil, err
		}
		nids[i] = nid
	}
	return nids, nil
}

func add(ctx context.Context, c *Client, params []string) (string, bool, error) {
	nids, err := storageList(ctx, c, params)
	if err != nil {
		return "", false, err
	}
	return ack(c.AddNodes(ctx, nids))
}

func tweak(ctx context.Context, c *Client, params []string) (string, bool, error) {
	dryRun := len(params) > 0 && params[0] == "-n"
	if dryRun {
		params = params[1:]
	}
	nids, err := parseNIDs(params)
	if err != nil {
		return "", false, err
	}
	changed, rows, err := c.TweakPartitionTable(ctx, dryRun, nids)
	if err != nil {
		return "", false, err
	}
	if !changed {
		return "No change done.", true, nil
	}
	text, err := formatTable(ctx, c, rows)
	return text, err == nil, err
}

func oneNID(params []string, usage string) (proto.NID, error) {
	if err := wantParams(params, 1, 1, usage); err != nil {
		return proto.NoNID, err
	}
	return ParseNID(params[0])
}

func kill(ctx context.Context, c *Client, params []string) (string, bool, error) {
	nid, err := oneNID(params, "kill NID")
	if err != nil {
		return "", false, err
	}
	return ack(c.KillNode(ctx, nid))
}

func drop(ctx context.Context, c *Client, params []string) (string, bool, error) {
	nid, err := oneNID(params, "drop NID")
	if err != nil {
		return "", false, err
	}
	return ack(c.DropNode(ctx, nid))
}

func pruneOrphan(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if len(params) == 0 || (params[0] != "0" && params[0] != "1") {
		return "", false, usagef("usage: prune_orphan 0|1 all|NID...")
	}
	nids, err := storageList(ctx, c, params[1:])
	if err != nil {
		return "", false, err
	}
	return ack(c.Repair(ctx, nids, params[0] == "1"))
}

func truncate(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 1, 1, "truncate TID"); err != nil {
		return "", false, err
	}
	tid, err := ParseTid(params[0])
	if err != nil {
		return "", false, err
	}
	_, err = c.Truncate(ctx, tid)
	return "", false, err
}

// check reads "[P]:[NID]..." (P empty: every partition; NID empty: the
// master chooses the reference) then an optional tid range.
func check(ctx context.Context, c *Client, params []string) (string, bool, error) {
	var parts []proto.CheckReference
	index := map[uint32]int{}
	set := func(p uint32, nid proto.NID) {
		if i, ok := index[p]; ok {
			parts[i].NID = nid // a dict: the last value wins, the first place stays
			return
		}
		index[p] = len(parts)
		parts = append(parts, proto.CheckReference{Partition: p, NID: nid})
	}
	min, max := zodb.Tid(0), proto.NoTid
	for i := 0; i < len(params); i++ {
		p := params[i]
		part, source, ok := strings.Cut(p, ":")
		if !ok || strings.Contains(source, ":") {
			var err error
			if min, err = ParseTid(p); err != nil {
				return "", false, err
			}
			if i+1 < len(params) {
				if max, err = ParseTid(params[i+1]); err != nil {
					return "", false, err
				}
			}
			break
		}
		nid := proto.NoNID
		if source != "" {
			var err error
			if nid, err = ParseNID(source); err != nil {
				return "", false, err
			}
		}
		if part != "" {
			off, err := parseOffset(part)
			if err != nil {
				return "", false, err
			}
			set(off, nid)
			continue
		}
		if len(parts) > 0 {
			return "", false, usagef("check: ':' (every partition) cannot follow partitions")
		}
		// NEO/py's neoctl fails here on Python 3; we do what it means:
		// every partition of the table.
		pt, err := c.PartitionList(ctx, 0, 0, proto.NoNID)
		if err != nil {
			return "", false, err
		}
		parts, index = nil, map[uint32]int{}
		for off := range pt.Rows {
			set(uint32(off), nid)
		}
	}
	_, err := c.CheckReplicas(ctx, parts, min, max)
	return "", false, err
}

func flushLog(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 0, "flush_log"); err != nil {
		return "", false, err
	}
	return "", false, c.FlushLog(ctx)
}
