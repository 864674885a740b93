package proto

// Packets of identification, node and cluster state.

// Error answers any request: a plain-int error code and a message. Code
// Ack answers the requests registered with error=True on success.
type Error struct {
	ErrCode ErrorCode
	Message string
}

func (*Error) Code() uint16 { return CodeError }
func (m *Error) AppendArgs(b []byte) []byte {
	b = appendArray(b, 2)
	b = appendInt(b, int64(m.ErrCode))
	return appendBin(b, []byte(m.Message))
}
func (m *Error) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.ErrCode = ErrorCode(d.int())
	m.Message = d.str()
	return d.end()
}

// RequestIdentification is the first packet of a connection between
// nodes. Extra is the raw msgpack map of extra information ({bin: any}).
type RequestIdentification struct {
	NodeType    NodeType
	NID         NID
	Addr        *Address
	ClusterName string
	IDTimestamp float64 // NoTime for nil
	Extra       Raw     // msgpack map, as on the wire
}

func (*RequestIdentification) Code() uint16 { return CodeRequestIdentification }
func (m *RequestIdentification) AppendArgs(b []byte) []byte {
	b = appendArray(b, 6)
	b = appendEnum(b, extNodeType, byte(m.NodeType))
	b = appendNID(b, m.NID)
	b = appendAddr(b, m.Addr)
	b = appendBin(b, []byte(m.ClusterName))
	b = appendTime(b, m.IDTimestamp)
	if m.Extra == nil {
		return appendMap(b, 0)
	}
	return append(b, m.Extra...)
}
func (m *RequestIdentification) DecodeArgs(a []byte) error {
	d := decArgs(a, 6)
	m.NodeType = d.nodeType()
	m.NID = d.nid()
	m.Addr = d.addr()
	m.ClusterName = d.str()
	m.IDTimestamp = d.time()
	start := d.off
	n := d.mapLen()
	for i := 0; i < 2*n; i++ {
		d.next()
	}
	m.Extra = d.b[start:d.off]
	return d.end()
}

// AcceptIdentification accepts a RequestIdentification: the acceptor's
// type and NID, and the NID the peer must adopt.
type AcceptIdentification struct {
	NodeType NodeType
	MyNID    NID
	YourNID  NID
}

func (*AcceptIdentification) Code() uint16 { return CodeAcceptIdentification }
func (m *AcceptIdentification) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendEnum(b, extNodeType, byte(m.NodeType))
	b = appendNID(b, m.MyNID)
	return appendNID(b, m.YourNID)
}
func (m *AcceptIdentification) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.NodeType = d.nodeType()
	m.MyNID = d.nid()
	m.YourNID = d.nid()
	return d.end()
}

// NoArgs is any packet without arguments (Ping, Pong, AskLastIDs,
// NotifyReady, ...): its code tells which.
type NoArgs struct{ PacketCode uint16 }

func (m *NoArgs) Code() uint16               { return m.PacketCode }
func (m *NoArgs) AppendArgs(b []byte) []byte { return appendArray(b, 0) }
func (m *NoArgs) DecodeArgs(a []byte) error {
	d := decArgs(a, 0)
	return d.end()
}

// AnswerPrimary gives the primary master's NID.
type AnswerPrimary struct{ PrimaryNID NID }

func (*AnswerPrimary) Code() uint16 { return CodeAnswerPrimary }
func (m *AnswerPrimary) AppendArgs(b []byte) []byte {
	return appendNID(appendArray(b, 1), m.PrimaryNID)
}
func (m *AnswerPrimary) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.PrimaryNID = d.nid()
	return d.end()
}

// NotifyNodeInformation tells nodes about other nodes (all of them on
// identification, then the changed ones).
type NotifyNodeInformation struct {
	Timestamp float64
	Nodes     []NodeInfo
}

func (*NotifyNodeInformation) Code() uint16 { return CodeNotifyNodeInformation }
func (m *NotifyNodeInformation) AppendArgs(b []byte) []byte {
	b = appendArray(b, 2)
	b = appendTime(b, m.Timestamp)
	return appendNodes(b, m.Nodes)
}
func (m *NotifyNodeInformation) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Timestamp = d.time()
	m.Nodes = d.nodes()
	return d.end()
}

// AnswerNodeList answers AskNodeList.
type AnswerNodeList struct{ Nodes []NodeInfo }

func (*AnswerNodeList) Code() uint16 { return CodeAnswerNodeList }
func (m *AnswerNodeList) AppendArgs(b []byte) []byte {
	return appendNodes(appendArray(b, 1), m.Nodes)
}
func (m *AnswerNodeList) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Nodes = d.nodes()
	return d.end()
}

// ClusterStateMsg is NotifyClusterInformation, AnswerClusterState or
// SetClusterState (one cluster state argument): its code tells which.
type ClusterStateMsg struct {
	PacketCode uint16
	State      ClusterState
}

func (m *ClusterStateMsg) Code() uint16 { return m.PacketCode }
func (m *ClusterStateMsg) AppendArgs(b []byte) []byte {
	return appendEnum(appendArray(b, 1), extClusterState, byte(m.State))
}
func (m *ClusterStateMsg) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.State = d.clusterState()
	return d.end()
}

// StartOperation tells a storage to start serving.
type StartOperation struct{ Backup bool }

func (*StartOperation) Code() uint16 { return CodeStartOperation }
func (m *StartOperation) AppendArgs(b []byte) []byte {
	return appendBool(appendArray(b, 1), m.Backup)
}
func (m *StartOperation) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Backup = d.bool()
	return d.end()
}
