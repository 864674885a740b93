package proto

import "fmt"

// Enums travel as msgpack fixext1 "d4 <ext type> <value>": the ext type is
// the order in which neo/lib/protocol.py registers the enums, the payload
// the item's integer value as a positive fixint.
const (
	extCellState    = 0
	extClusterState = 1
	extErrorCode    = 2 // registered but never on the wire: Error sends a plain int
	extNodeState    = 3
	extNodeType     = 4
)

// CellState is the state of a cell of the partition table.
type CellState byte

const (
	OutOfDate CellState = iota
	UpToDate
	Feeding
	Corrupted
	Discarded
)

// ClusterState is the state of the whole cluster.
type ClusterState byte

const (
	Recovering ClusterState = iota
	Verifying
	Running
	Stopping
	StartingBackup
	BackingUp
	StoppingBackup
)

// ErrorCode is the code of an Error packet (a plain integer on the wire).
type ErrorCode int64

const (
	Ack ErrorCode = iota
	Denied
	NotReady
	OidNotFound
	TidNotFound
	OidDoesNotExist
	ProtocolError
	ReplicationError
	CheckingError
	BackendNotImplemented
	NonReadableCell
	ReadOnlyAccess
	IncompleteTransaction
	UndoPackError
)

// NodeState is the state of a node as the master sees it.
type NodeState byte

const (
	NodeUnknown NodeState = iota
	NodeDown
	NodeRunning
	NodePending
)

// NodeType is the role of a node.
type NodeType byte

const (
	Master NodeType = iota
	Storage
	Client
	Admin
)

var (
	cellStateNames    = []string{"OUT_OF_DATE", "UP_TO_DATE", "FEEDING", "CORRUPTED", "DISCARDED"}
	clusterStateNames = []string{"RECOVERING", "VERIFYING", "RUNNING", "STOPPING", "STARTING_BACKUP", "BACKINGUP", "STOPPING_BACKUP"}
	errorCodeNames    = []string{"ACK", "DENIED", "NOT_READY", "OID_NOT_FOUND", "TID_NOT_FOUND", "OID_DOES_NOT_EXIST", "PROTOCOL_ERROR", "REPLICATION_ERROR", "CHECKING_ERROR", "BACKEND_NOT_IMPLEMENTED", "NON_READABLE_CELL", "READ_ONLY_ACCESS", "INCOMPLETE_TRANSACTION", "UNDO_PACK_ERROR"}
	nodeStateNames    = []string{"UNKNOWN", "DOWN", "RUNNING", "PENDING"}
	nodeTypeNames     = []string{"MASTER", "STORAGE", "CLIENT", "ADMIN"}
)

func enumName(names []string, v int64, kind string) string {
	if v >= 0 && v < int64(len(names)) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", kind, v)
}

func (s CellState) String() string    { return enumName(cellStateNames, int64(s), "CellState") }
func (s ClusterState) String() string { return enumName(clusterStateNames, int64(s), "ClusterState") }
func (c ErrorCode) String() string    { return enumName(errorCodeNames, int64(c), "ErrorCode") }
func (s NodeState) String() string    { return enumName(nodeStateNames, int64(s), "NodeState") }
func (t NodeType) String() string     { return enumName(nodeTypeNames, int64(t), "NodeType") }

// enumNames lists the item names of each ext type, for printing.
var enumNames = [][]string{cellStateNames, clusterStateNames, errorCodeNames, nodeStateNames, nodeTypeNames}

func appendEnum(b []byte, typ, v byte) []byte { return append(b, 0xd4, typ, v) }

func (d *dec) cellState() CellState {
	return CellState(d.enum(extCellState, byte(len(cellStateNames)-1)))
}
func (d *dec) clusterState() ClusterState {
	return ClusterState(d.enum(extClusterState, byte(len(clusterStateNames)-1)))
}
func (d *dec) nodeState() NodeState {
	return NodeState(d.enum(extNodeState, byte(len(nodeStateNames)-1)))
}
func (d *dec) nodeType() NodeType {
	return NodeType(d.enum(extNodeType, byte(len(nodeTypeNames)-1)))
}
