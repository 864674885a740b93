package proto

// Packets of administration (neoctl -> admin -> master).

// NoNodeType is a nil node type on the wire (AskNodeList: all types).
const NoNodeType NodeType = 0xff

// AskNodeList asks the admin for the nodes of a type (NoNodeType: all).
type AskNodeList struct{ NodeType NodeType }

func (*AskNodeList) Code() uint16 { return CodeAskNodeList }
func (m *AskNodeList) AppendArgs(b []byte) []byte {
	b = appendArray(b, 1)
	if m.NodeType == NoNodeType {
		return appendNil(b)
	}
	return appendEnum(b, extNodeType, byte(m.NodeType))
}
func (m *AskNodeList) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.NodeType = NoNodeType
	if !d.peekNil() {
		m.NodeType = d.nodeType()
	}
	return d.end()
}

// AskPartitionList asks the admin for rows [MinOffset, MaxOffset) of the
// partition table, only the cells of NID unless NoNID.
type AskPartitionList struct {
	MinOffset, MaxOffset uint32
	NID                  NID
}

func (*AskPartitionList) Code() uint16 { return CodeAskPartitionList }
func (m *AskPartitionList) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendUint(b, uint64(m.MinOffset))
	b = appendUint(b, uint64(m.MaxOffset))
	return appendNID(b, m.NID)
}
func (m *AskPartitionList) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.MinOffset = d.u32("min_offset")
	m.MaxOffset = d.u32("max_offset")
	m.NID = d.nid()
	return d.end()
}

// SetNodeState changes a node's state (answered by Error).
type SetNodeState struct {
	NID   NID
	State NodeState
}

func (*SetNodeState) Code() uint16 { return CodeSetNodeState }
func (m *SetNodeState) AppendArgs(b []byte) []byte {
	return appendEnum(appendNID(appendArray(b, 2), m.NID), extNodeState, byte(m.State))
}
func (m *SetNodeState) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.NID = d.nid()
	m.State = d.nodeState()
	return d.end()
}

// AddPendingNodes adds pending storages to the cluster (answered by
// Error); no NIDs means all of them.
type AddPendingNodes struct{ NIDs []NID }

func (*AddPendingNodes) Code() uint16                 { return CodeAddPendingNodes }
func (m *AddPendingNodes) AppendArgs(b []byte) []byte { return appendNIDs(appendArray(b, 1), m.NIDs) }
func (m *AddPendingNodes) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.NIDs = d.nids()
	return d.end()
}

// SetNumReplicas changes the number of replicas (answered by Error).
type SetNumReplicas struct{ NumReplicas uint32 }

func (*SetNumReplicas) Code() uint16 { return CodeSetNumReplicas }
func (m *SetNumReplicas) AppendArgs(b []byte) []byte {
	return appendUint(appendArray(b, 1), uint64(m.NumReplicas))
}
func (m *SetNumReplicas) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.NumReplicas = d.u32("num_replicas")
	return d.end()
}

// TweakPartitionTable balances the partition table, dropping the NIDs.
type TweakPartitionTable struct {
	DryRun bool
	NIDs   []NID
}

func (*TweakPartitionTable) Code() uint16 { return CodeTweakPartitionTable }
func (m *TweakPartitionTable) AppendArgs(b []byte) []byte {
	return appendNIDs(appendBool(appendArray(b, 2), m.DryRun), m.NIDs)
}
func (m *TweakPartitionTable) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.DryRun = d.bool()
	m.NIDs = d.nids()
	return d.end()
}

// AnswerTweakPartitionTable answers TweakPartitionTable.
type AnswerTweakPartitionTable struct {
	Changed bool
	Rows    [][]CellInfo
}

func (*AnswerTweakPartitionTable) Code() uint16 { return CodeAnswerTweakPartitionTable }
func (m *AnswerTweakPartitionTable) AppendArgs(b []byte) []byte {
	return appendRows(appendBool(appendArray(b, 2), m.Changed), m.Rows)
}
func (m *AnswerTweakPartitionTable) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Changed = d.bool()
	m.Rows = d.rows()
	return d.end()
}
