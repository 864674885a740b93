package proto

import "github.com/zodbneo/zodbneo/zodb"

// Packets of the partition table and of recovery.

// PartitionTable is AnswerPartitionTable, SendPartitionTable or
// AnswerPartitionList: [ptid, num_replicas, row_list]; its code tells
// which. Rows are in partition order.
type PartitionTable struct {
	PacketCode  uint16
	PTid        PTid
	NumReplicas uint32
	Rows        [][]CellInfo
}

func (m *PartitionTable) Code() uint16 { return m.PacketCode }
func (m *PartitionTable) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendPTid(b, m.PTid)
	b = appendUint(b, uint64(m.NumReplicas))
	return appendRows(b, m.Rows)
}
func (m *PartitionTable) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.PTid = d.ptid()
	m.NumReplicas = d.u32("num_replicas")
	m.Rows = d.rows()
	return d.end()
}

// NotifyPartitionChanges sends changed cells (DISCARDED = removed).
type NotifyPartitionChanges struct {
	PTid        PTid
	NumReplicas uint32
	Cells       []CellChange
}

func (*NotifyPartitionChanges) Code() uint16 { return CodeNotifyPartitionChanges }
func (m *NotifyPartitionChanges) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendPTid(b, m.PTid)
	b = appendUint(b, uint64(m.NumReplicas))
	b = appendArray(b, len(m.Cells))
	for _, c := range m.Cells {
		b = appendArray(b, 3)
		b = appendUint(b, uint64(c.Partition))
		b = appendNID(b, c.NID)
		b = appendEnum(b, extCellState, byte(c.State))
	}
	return b
}
func (m *NotifyPartitionChanges) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.PTid = d.ptid()
	m.NumReplicas = d.u32("num_replicas")
	n := d.arrayLen()
	m.Cells = make([]CellChange, n)
	for i := range m.Cells {
		if d.arrayLen() != 3 {
			d.fail("cell is not a triple")
			break
		}
		m.Cells[i] = CellChange{Partition: d.u32("partition"), NID: d.nid(), State: d.cellState()}
	}
	return d.end()
}

// AnswerRecovery answers AskRecovery.
type AnswerRecovery struct {
	PTid        PTid
	BackupTid   zodb.Tid
	TruncateTid zodb.Tid
}

func (*AnswerRecovery) Code() uint16 { return CodeAnswerRecovery }
func (m *AnswerRecovery) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendPTid(b, m.PTid)
	b = appendTid(b, m.BackupTid)
	return appendTid(b, m.TruncateTid)
}
func (m *AnswerRecovery) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.PTid = d.ptid()
	m.BackupTid = d.tid()
	m.TruncateTid = d.tid()
	return d.end()
}

// AnswerLastIDs answers AskLastIDs; FirstTid is MAX_TID for an empty
// database.
type AnswerLastIDs struct {
	LastTid  zodb.Tid
	LastOid  zodb.Oid
	FirstTid zodb.Tid
}

func (*AnswerLastIDs) Code() uint16 { return CodeAnswerLastIDs }
func (m *AnswerLastIDs) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendTid(b, m.LastTid)
	b = appendOid(b, m.LastOid)
	return appendTid(b, m.FirstTid)
}
func (m *AnswerLastIDs) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.LastTid = d.tid()
	m.LastOid = d.oid()
	m.FirstTid = d.tid()
	return d.end()
}
