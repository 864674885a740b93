package ctl

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// NotReadyError is the admin answering NOT_READY (e.g. "Not connected to
// a primary master."), or the admin unreachable ("not connected", Err
// saying why); neoctl prints it as "ERROR: <message>".
type NotReadyError struct {
	Message string
	Err     error
}

func (e *NotReadyError) Error() string { return "ERROR: " + e.Message }
func (e *NotReadyError) Unwrap() error { return e.Err }

// DeniedError is an order refused by the master (an Error DENIED, e.g.
// "unknown node", "Invalid state requested"); neoctl prints the message
// alone.
type DeniedError struct{ Message string }

func (e *DeniedError) Error() string { return e.Message }

// AnswerError is any other unexpected answer: an Error with another code
// (e.g. PROTOCOL_ERROR "invalid partition table offset") or a packet of
// the wrong type.
type AnswerError struct {
	Request string // name of the request
	Code    proto.ErrorCode
	Message string
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("ctl: %s: admin answered %v: %s", e.Request, e.Code, e.Message)
}

// Client is a connection to an admin node. Its methods may be called
// from several goroutines; each waits for its answer.
type Client struct {
	l    *link.Link
	addr string
}

// Dial connects to the admin node at addr (host:port), over TLS when tlsConf
// is set (neo/link.LoadTLS). An unreachable admin is a *NotReadyError
// "not connected", as neoctl says, wrapping the dial error.
func Dial(ctx context.Context, addr string, tlsConf *tls.Config) (*Client, error) {
	l, err := link.Dial(ctx, "tcp", addr, link.Options{TLS: tlsConf})
	if err != nil {
		return nil, &NotReadyError{Message: "not connected", Err: err}
	}
	return &Client{l: l, addr: addr}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.l.Close() }

// Addr is the admin's address.
func (c *Client) Addr() string { return c.addr }

// ask sends req and returns the answer, typed errors for Error answers.
func (c *Client) ask(ctx context.Context, req proto.Msg) (proto.Msg, error) {
	name, _ := proto.CodeName(req.Code())
	m, err := c.l.Ask(ctx, req)
	var ea *link.ErrorAnswer
	switch {
	case errors.As(err, &ea):
		switch ea.Code {
		case proto.NotReady:
			return nil, &NotReadyError{Message: ea.Message}
		case proto.Denied:
			return nil, &DeniedError{Message: ea.Message}
		case proto.Ack:
			return &proto.Error{ErrCode: ea.Code, Message: ea.Message}, nil
		}
		return nil, &AnswerError{Request: name, Code: ea.Code, Message: ea.Message}
	case err != nil:
		if ctx.Err() != nil {
			return nil, err
		}
		// The admin went away before answering (neoctl: "Connection closed").
		return nil, &NotReadyError{Message: "Connection closed", Err: fmt.Errorf("ctl: %s: %w", name, err)}
	}
	return m, nil
}

// askAck sends an order answered by Error(ACK, message) and returns the
// message.
func (c *Client) askAck(ctx context.Context, req proto.Msg) (string, error) {
	m, err := c.ask(ctx, req)
	if err != nil {
		return "", err
	}
	if e, ok := m.(*proto.Error); ok && e.ErrCode == proto.Ack {
		return e.Message, nil
	}
	name, _ := proto.CodeName(req.Code())
	return "", fmt.Errorf("ctl: %s: admin answered %T, want Error ACK", name, m)
}

// askAs sends req and checks the answer is a T.
func askAs[T proto.Msg](ctx context.Context, c *Client, req proto.Msg) (T, error) {
	var zero T
	m, err := c.ask(ctx, req)
	if err != nil {
		return zero, err
	}
	t, ok := m.(T)
	if !ok {
		name, _ := proto.CodeName(req.Code())
		return zero, fmt.Errorf("ctl: %s: admin answered %T, want %T", name, m, zero)
	}
	return t, nil
}

func noArgs(code uint16) proto.Msg { return &proto.NoArgs{PacketCode: code} }

// ClusterState returns the cluster's state as the admin knows it.
func (c *Client) ClusterState(ctx context.Context) (proto.ClusterState, error) {
	m, err := askAs[*proto.ClusterStateMsg](ctx, c, noArgs(proto.CodeAskClusterState))
	if err != nil {
		return 0, err
	}
	return m.State, nil
}

// NodeList returns the nodes of type typ, proto.NoNodeType for all.
func (c *Client) NodeList(ctx context.Context, typ proto.NodeType) ([]proto.NodeInfo, error) {
	m, err := askAs[*proto.AnswerNodeList](ctx, c, &proto.AskNodeList{NodeType: typ})
	if err != nil {
		return nil, err
	}
	return m.Nodes, nil
}

// PartitionList returns rows [min, max) of the partition table (max 0: to
// the end). nid asks for the rows of one node (proto.NoNID: all); NEO/py's
// admin ignores it and answers every row of the range.
func (c *Client) PartitionList(ctx context.Context, min, max uint32, nid proto.NID) (*proto.PartitionTable, error) {
	return askAs[*proto.PartitionTable](ctx, c, &proto.AskPartitionList{MinOffset: min, MaxOffset: max, NID: nid})
}

// Primary returns the primary master's NID.
func (c *Client) Primary(ctx context.Context) (proto.NID, error) {
	m, err := askAs[*proto.AnswerPrimary](ctx, c, noArgs(proto.CodeAskPrimary))
	if err != nil {
		return proto.NoNID, err
	}
	return m.PrimaryNID, nil
}

// LastIDs returns the last committed tid and the last allocated oid.
func (c *Client) LastIDs(ctx context.Context) (*proto.AnswerLastIDs, error) {
	return askAs[*proto.AnswerLastIDs](ctx, c, noArgs(proto.CodeAskLastIDs))
}

// LastTransaction returns the last committed tid.
func (c *Client) LastTransaction(ctx context.Context) (zodb.Tid, error) {
	m, err := askAs[*proto.TidMsg](ctx, c, noArgs(proto.CodeAskLastTransaction))
	if err != nil {
		return 0, err
	}
	return m.Tid, nil
}

// Recovery returns the partition table id and the backup and truncate
// tids (proto.NoTid when none).
func (c *Client) Recovery(ctx context.Context) (*proto.AnswerRecovery, error) {
	return askAs[*proto.AnswerRecovery](ctx, c, noArgs(proto.CodeAskRecovery))
}

// MonitorInformation returns the clusters with warnings and with problems
// (nil names for the admin's own cluster) and the health summary.
func (c *Client) MonitorInformation(ctx context.Context) (*proto.AnswerMonitorInformation, error) {
	return askAs[*proto.AnswerMonitorInformation](ctx, c, noArgs(proto.CodeAskMonitorInformation))
}

// SetClusterState asks the master to move the cluster to state s; it
// returns the master's comment.
func (c *Client) SetClusterState(ctx context.Context, s proto.ClusterState) (string, error) {
	return c.askAck(ctx, &proto.ClusterStateMsg{PacketCode: proto.CodeSetClusterState, State: s})
}

// StartCluster starts a cluster in recovery (state VERIFYING).
func (c *Client) StartCluster(ctx context.Context) (string, error) {
	return c.SetClusterState(ctx, proto.Verifying)
}

// SetNodeState asks the master to change a node's state.
func (c *Client) SetNodeState(ctx context.Context, nid proto.NID, s proto.NodeState) (string, error) {
	return c.askAck(ctx, &proto.SetNodeState{NID: nid, State: s})
}

// KillNode stops a node (state DOWN): a storage or a secondary master.
func (c *Client) KillNode(ctx context.Context, nid proto.NID) (string, error) {
	return c.SetNodeState(ctx, nid, proto.NodeDown)
}

// DropNode removes a stopped storage for good (state UNKNOWN).
func (c *Client) DropNode(ctx context.Context, nid proto.NID) (string, error) {
	return c.SetNodeState(ctx, nid, proto.NodeUnknown)
}

// AddNodes lets pending storages join the cluster.
func (c *Client) AddNodes(ctx context.Context, nids []proto.NID) (string, error) {
	return c.askAck(ctx, &proto.AddPendingNodes{NIDs: nids})
}

// TweakPartitionTable asks the master to balance the partition table,
// moving the cells of the drop nodes away; with dryRun it only returns
// the table it would make. changed is false when nothing would change.
func (c *Client) TweakPartitionTable(ctx context.Context, dryRun bool, drop []proto.NID) (changed bool, rows [][]proto.CellInfo, err error) {
	m, err := askAs[*proto.AnswerTweakPartitionTable](ctx, c, &proto.TweakPartitionTable{DryRun: dryRun, NIDs: drop})
	if err != nil {
		return false, nil, err
	}
	return m.Changed, m.Rows, nil
}

// SetNumReplicas changes the number of replicas of each partition.
func (c *Client) SetNumReplicas(ctx context.Context, n uint32) (string, error) {
	return c.askAck(ctx, &proto.SetNumReplicas{NumReplicas: n})
}

// CheckReplicas asks the master to compare the replicas of partitions in
// the tid range [min, max] (max proto.NoTid: no bound).
func (c *Client) CheckReplicas(ctx context.Context, parts []proto.CheckReference, min, max zodb.Tid) (string, error) {
	return c.askAck(ctx, &proto.CheckReplicas{Partitions: parts, MinTid: min, MaxTid: max})
}

// Truncate asks the master to cut the database after tid.
func (c *Client) Truncate(ctx context.Context, tid zodb.Tid) (string, error) {
	return c.askAck(ctx, &proto.TidMsg{PacketCode: proto.CodeTruncate, Tid: tid})
}

// Repair asks storages to delete unreferenced data (NEO/py's
// prune_orphan).
func (c *Client) Repair(ctx context.Context, nids []proto.NID, dryRun bool) (string, error) {
	return c.askAck(ctx, &proto.Repair{NIDs: nids, DryRun: dryRun})
}

// FlushLog asks every node to flush its log; nothing is answered.
func (c *Client) FlushLog(ctx context.Context) error {
	return c.l.Notify(noArgs(proto.CodeFlushLog))
}
