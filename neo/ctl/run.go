package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// verb runs one neoctl command with its parameters and returns the text
// to print (printed false: neoctl prints nothing).
type verb func(ctx context.Context, c *Client, params []string) (text string, printed bool, err error)

// verbs is neoctl's command tree (TerminalNeoCTL's action_dict), plus
// "set node NID STATE", which NEO/py's neoctl lacks.
var verbs = map[string]any{
	"print": map[string]any{
		"ids":     verb(printIDs),
		"pt":      verb(printPT),
		"node":    verb(printNode),
		"cluster": verb(printCluster),
		"primary": verb(printPrimary),
		"summary": verb(printSummary),
	},
	"set": map[string]any{
		"cluster":  verb(setCluster),
		"replicas": verb(setReplicas),
		"node":     verb(setNode),
	},
	"check":        verb(check),
	"start":        verb(start),
	"add":          verb(add),
	"tweak":        verb(tweak),
	"drop":         verb(drop),
	"kill":         verb(kill),
	"prune_orphan": verb(pruneOrphan),
	"truncate":     verb(truncate),
	"flush_log":    verb(flushLog),
}

// Run runs the neoctl command args (e.g. "print", "pt", "0", "4") against
// the admin c and returns what neoctl prints on stdout: the text and its
// newline, or "" for commands that print nothing. Errors are neoctl's:
// *UsageError for a command line it cannot run ("invalid command: ..."),
// *NotReadyError ("ERROR: ..."), *DeniedError (the master's refusal,
// printed alone), *AnswerError; their Error() is the line neoctl writes on
// stderr where neoctl writes one.
func Run(ctx context.Context, c *Client, args []string) (string, error) {
	if len(args) == 0 {
		return Usage(), nil
	}
	v, params, err := lookup(args)
	if err != nil {
		return "", err
	}
	text, printed, err := v(ctx, c, params)
	if err != nil || !printed {
		return "", err
	}
	return text + "\n", nil
}

// Check reports a command line Run would reject before asking the admin
// anything (an unknown verb), so that a caller can say so without
// connecting, as neoctl does.
func Check(args []string) error {
	if len(args) == 0 {
		return nil
	}
	_, _, err := lookup(args)
	return err
}

// lookup walks the command tree along args and returns the verb and its
// parameters.
func lookup(args []string) (verb, []string, error) {
	var node any = verbs
	level := 0
	for level < len(args) {
		m, ok := node.(map[string]any)
		if !ok {
			break
		}
		if node, ok = m[args[level]]; !ok {
			return nil, nil, usagef("invalid command: %s", strings.Join(args, " "))
		}
		level++
	}
	v, ok := node.(verb)
	if !ok {
		return nil, nil, usagef("invalid command: %s: incomplete", strings.Join(args, " "))
	}
	return v, args[level:], nil
}

// Usage lists the commands Run takes.
func Usage() string {
	return `Available commands:
print ids                    last tid, last oid and partition table id
print pt [MIN [MAX [NID]]]   the partition table (rows MIN to MAX-1 if given)
print node [TYPE]            the nodes (of TYPE: master, storage, client, admin)
print cluster                the cluster state
print primary                the primary master
print summary                the cluster's health
set cluster STATE            change the cluster state (e.g. STOPPING)
set replicas N               change the number of replicas
set node NID STATE           change a node's state
start                        start the cluster (set cluster VERIFYING)
add all|NID...               add pending storages
tweak [-n] [NID...]          balance the partition table, moving cells off NIDs (-n: dry run)
drop NID                     remove a stopped storage for good
kill NID                     stop a storage or a secondary master
check [P]:[NID]... [MIN [MAX]]   compare the replicas of partitions P (NID: reference)
prune_orphan 0|1 all|NID...  delete unreferenced data (1: dry run)
truncate TID                 cut the database after TID
flush_log                    make every node flush its log
TID is tid:<integer> (e.g. tid:0x3937af2eeeeeeee) or a UNIX timestamp (e.g. 1325421296).
`
}

func wantParams(params []string, min, max int, usage string) error {
	if len(params) < min || len(params) > max {
		return usagef("usage: %s", usage)
	}
	return nil
}

func printIDs(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 0, "print ids"); err != nil {
		return "", false, err
	}
	rec, err := c.Recovery(ctx)
	if err != nil {
		return "", false, err
	}
	var head string
	var ltid zodb.Tid
	if rec.BackupTid != proto.NoTid {
		if ltid, err = c.LastTransaction(ctx); err != nil {
			return "", false, err
		}
		head = fmt.Sprintf("backup_tid = 0x%x (%s)", uint64(rec.BackupTid), TidDatetime(rec.BackupTid))
	} else {
		ids, err := c.LastIDs(ctx)
		if err != nil {
			return "", false, err
		}
		if ids.LastOid == proto.NoOid || ids.LastTid == proto.NoTid {
			return "", false, fmt.Errorf("ctl: print ids: the master knows no last ids yet")
		}
		ltid = ids.LastTid
		head = fmt.Sprintf("last_oid = 0x%x", uint64(ids.LastOid))
	}
	return fmt.Sprintf("%s\nlast_tid = 0x%x (%s)\nlast_ptid = %s", head, uint64(ltid), TidDatetime(ltid), formatPTid(rec.PTid)), true, nil
}

func formatPTid(p proto.PTid) string {
	if p == proto.NoPTid {
		return "None"
	}
	return fmt.Sprint(uint64(p))
}

func printPT(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 3, "print pt [MIN [MAX [NID]]]"); err != nil {
		return "", false, err
	}
	var min, max uint32
	nid := proto.NoNID
	var err error
	if len(params) > 0 {
		if min, err = parseOffset(params[0]); err != nil {
			return "", false, err
		}
	}
	if len(params) > 1 {
		if max, err = parseOffset(params[1]); err != nil {
			return "", false, err
		}
	}
	if len(params) > 2 {
		if nid, err = ParseNID(params[2]); err != nil {
			return "", false, err
		}
	}
	pt, err := c.PartitionList(ctx, min, max, nid)
	if err != nil {
		return "", false, err
	}
	var body string
	if min != 0 || max != 0 {
		body = FormatRowList(min, pt.Rows)
	} else if body, err = formatTable(ctx, c, pt.Rows); err != nil {
		return "", false, err
	}
	return fmt.Sprintf("# ptid: %s, replicas: %d\n%s", formatPTid(pt.PTid), pt.NumReplicas, body), true, nil
}

// formatTable draws rows with the states of the storage nodes, asked to
// the admin.
func formatTable(ctx context.Context, c *Client, rows [][]proto.CellInfo) (string, error) {
	storages, err := c.NodeList(ctx, proto.Storage)
	if err != nil {
		return "", err
	}
	return FormatPartitionTable(rows, storages), nil
}

func printNode(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 1, "print node [TYPE]"); err != nil {
		return "", false, err
	}
	typ := proto.NoNodeType
	if len(params) == 1 {
		t, err := parseNodeType(params[0])
		if err != nil {
			return "", false, err
		}
		typ = t
	}
	nodes, err := c.NodeList(ctx, typ)
	if err != nil {
		return "", false, err
	}
	if len(nodes) == 0 {
		return "Empty list!", true, nil
	}
	return strings.Join(FormatNodeList(nodes), "\n"), true, nil
}

func printCluster(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 0, "print cluster"); err != nil {
		return "", false, err
	}
	s, err := c.ClusterState(ctx)
	return s.String(), err == nil, err
}

func printPrimary(ctx context.Context, c *Client, params []string) (string, bool, error) {
	nid, err := c.Primary(ctx)
	return nid.String(), err == nil, err
}

func printSummary(ctx context.Context, c *Client, params []string) (string, bool, error) {
	if err := wantParams(params, 0, 0, "print summary"); err != nil {
		return "", false, err
	}
	m, err := c.MonitorInformation(ctx)
	if err != nil {
		return "", false, err
	}
	return fmt.Sprintf("# %s\n%s", severityJSON(m.Warnings, m.Problems), m.Summary), true, nil
}

// severityJSON is Python's json.dumps of {"warning": [...], "problem":
// [...]} without the empty lists; a nil name (the admin's own cluster) is
// null.
func severityJSON(warnings, problems [][]byte) string {
	var parts []string
	for _, kv := range []struct {
		k string
		v [][]byte
	}{{"warning", warnings}, {"problem", problems}} {
		if len(kv.v) == 0 {
			continue
		}
		names := make([]string, len(kv.v))
		for i, n := range kv.v {
			names[i] = "null"
			if n != nil {
				b, _ := json.Marshal(string(n))
				names[i] = string(b)
			}
		}
		parts = append(parts, fmt.Sprintf("%q: [%s]", kv.k, strings.Join(names, ", ")))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
