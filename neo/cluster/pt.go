package cluster

import (
	"fmt"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// PartitionTable is NEO's partition table: for each partition (an oid
// belongs to partition oid % NumPartitions, a transaction to tid %
// NumPartitions) the cells of the storage nodes that hold it, in the order
// they were assigned. It is not safe for concurrent use: its owner locks.
type PartitionTable struct {
	PTid        proto.PTid // proto.NoPTid before the table exists
	NumReplicas uint32
	Rows        [][]proto.CellInfo
}

// NewPartitionTable returns an empty table of np partitions.
func NewPartitionTable(np, nr uint32) *PartitionTable {
	return &PartitionTable{NumReplicas: nr, Rows: make([][]proto.CellInfo, np)}
}

// FromRows returns the table a SendPartitionTable, AnswerPartitionTable or
// AnswerPartitionList carries. The rows are copied.
func FromRows(ptid proto.PTid, nr uint32, rows [][]proto.CellInfo) *PartitionTable {
	pt := &PartitionTable{PTid: ptid, NumReplicas: nr, Rows: make([][]proto.CellInfo, len(rows))}
	for i, r := range rows {
		pt.Rows[i] = append([]proto.CellInfo(nil), r...)
	}
	return pt
}

// Clone returns a deep copy of pt.
func (pt *PartitionTable) Clone() *PartitionTable { return FromRows(pt.PTid, pt.NumReplicas, pt.Rows) }

// NumPartitions is the number of partitions (0 before the table is known).
func (pt *PartitionTable) NumPartitions() uint32 { return uint32(len(pt.Rows)) }

// OidPartition is the partition oid belongs to.
func (pt *PartitionTable) OidPartition(oid zodb.Oid) uint32 {
	return uint32(uint64(oid) % uint64(len(pt.Rows)))
}

// TidPartition is the partition that holds the metadata of transaction tid
// (or of a transaction being committed, by its ttid).
func (pt *PartitionTable) TidPartition(tid zodb.Tid) uint32 {
	return uint32(uint64(tid) % uint64(len(pt.Rows)))
}

// Readable reports whether a cell in state s serves reads (UP_TO_DATE,
// FEEDING), as NEO/py's Cell.isReadable.
func Readable(s proto.CellState) bool { return s == proto.UpToDate || s == proto.Feeding }

// Cells returns partition p's cells; readable keeps only readable ones.
// The slice is fresh.
func (pt *PartitionTable) Cells(p uint32, readable bool) []proto.CellInfo {
	var out []proto.CellInfo
	for _, c := range pt.Rows[p] {
		if !readable || Readable(c.State) {
			out = append(out, c)
		}
	}
	return out
}

// Cell returns nid's cell of partition p.
func (pt *PartitionTable) Cell(p uint32, nid proto.NID) (proto.CellInfo, bool) {
	for _, c := range pt.Rows[p] {
		if c.NID == nid {
			return c, true
		}
	}
	return proto.CellInfo{}, false
}

// Assigned returns the partitions where nid has a cell (any state).
func (pt *PartitionTable) Assigned(nid proto.NID) []uint32 {
	var out []uint32
	for p := range pt.Rows {
		if _, ok := pt.Cell(uint32(p), nid); ok {
			out = append(out, uint32(p))
		}
	}
	return out
}

// ReadablePartitions returns the partitions where nid has a readable cell.
func (pt *PartitionTable) ReadablePartitions(nid proto.NID) []uint32 {
	var out []uint32
	for p := range pt.Rows {
		if c, ok := pt.Cell(uint32(p), nid); ok && Readable(c.State) {
			out = append(out, uint32(p))
		}
	}
	return out
}

// NIDs returns every node with a cell, in order of first appearance;
// readable keeps nodes with at least one readable cell.
func (pt *PartitionTable) NIDs(readable bool) []proto.NID {
	seen := map[proto.NID]bool{}
	var out []proto.NID
	for _, row := range pt.Rows {
		for _, c := range row {
			if (!readable || Readable(c.State)) && !seen[c.NID] {
				seen[c.NID] = true
				out = append(out, c.NID)
			}
		}
	}
	return out
}

// SetCell sets nid's cell of partition p to state s, appending it if
// new; DISCARDED removes it (NEO/py's _setCell).
func (pt *PartitionTable) SetCell(p uint32, nid proto.NID, s proto.CellState) {
	row := pt.Rows[p]
	for i, c := range row {
		if c.NID == nid {
			if s == proto.Discarded {
				pt.Rows[p] = append(row[:i:i], row[i+1:]...)
			} else {
				row[i].State = s
			}
			return
		}
	}
	if s != proto.Discarded {
		pt.Rows[p] = append(row, proto.CellInfo{NID: nid, State: s})
	}
}

// Update applies a NotifyPartitionChanges. A change for a partition out
// of range is an error and leaves pt as it was.
func (pt *PartitionTable) Update(ptid proto.PTid, nr uint32, changes []proto.CellChange) error {
	for _, c := range changes {
		if c.Partition >= uint32(len(pt.Rows)) {
			return fmt.Errorf("partition table: change of partition %d, table has %d", c.Partition, len(pt.Rows))
		}
	}
	for _, c := range changes {
		pt.SetCell(c.Partition, c.NID, c.State)
	}
	pt.PTid, pt.NumReplicas = ptid, nr
	return nil
}

// Operational reports whether every partition has a readable cell on a
// node for which running returns true (NEO/py's operational()).
func (pt *PartitionTable) Operational(running func(proto.NID) bool) bool {
	if len(pt.Rows) == 0 {
		return false
	}
	for _, row := range pt.Rows {
		ok := false
		for _, c := range row {
			if Readable(c.State) && running(c.NID) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Msg returns pt as the SendPartitionTable packet (rows shared with pt).
func (pt *PartitionTable) Msg() *proto.PartitionTable {
	return &proto.PartitionTable{PacketCode: proto.CodeSendPartitionTable, PTid: pt.PTid, NumReplicas: pt.NumReplicas, Rows: pt.Rows}
}
