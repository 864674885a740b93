package master

import (
	"fmt"
	"log/slog"
	"sort"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// cell is one cell of the master's partition table.
type cell struct {
	node  *node
	state proto.CellState
	// updatable is set when the storage asked for the transactions to
	// replicate (AskUnfinishedTransactions): only then may its
	// NotifyReplicationDone make the cell UP_TO_DATE.
	updatable bool
}

func readable(s proto.CellState) bool { return s == proto.UpToDate || s == proto.Feeding }

func (c *cell) readable() bool { return readable(c.state) }

// setState changes the state; a cell that is not readable anymore must ask
// again for what to replicate.
func (c *cell) setState(s proto.CellState) {
	c.state = s
	if !c.readable() {
		c.updatable = false
	}
}

// errPT is a partition table change refused (NEO/py's
// PartitionTableException); admins get its text in a DENIED error.
type errPT struct{ msg string }

func (e *errPT) Error() string { return e.msg }

// ptable is the master's partition table (NEO/py's master/pt.py over
// lib/pt.py). count holds, per node with cells (or added to be given
// some), its number of non-feeding cells.
type ptable struct {
	np, nr     int
	id         proto.PTid
	rows       [][]*cell
	count      map[*node]int
	filledRows int
	log        *slog.Logger // for tweak's warnings; nil: none
}

func newPTable(np, nr int) *ptable {
	return &ptable{np: np, nr: nr, rows: make([][]*cell, np), count: map[*node]int{}}
}

func (pt *ptable) filled() bool { return pt.filledRows == pt.np }

func (pt *ptable) partition(x uint64) int { return int(x % uint64(pt.np)) }

// addNodeList makes nodes candidates for cells (tweak gives them some).
func (pt *ptable) addNodeList(nodes []*node) []*node {
	var added []*node
	for _, n := range nodes {
		if _, ok := pt.count[n]; !ok {
			pt.count[n] = 0
			added = append(added, n)
		}
	}
	return added
}

func (pt *ptable) cellOf(offset int, n *node) *cell {
	for _, c := range pt.rows[offset] {
		if c.node == n {
			return c
		}
	}
	return nil
}

// setCell sets n's cell of partition offset to state s, adding it if
// new; DISCARDED removes it.
func (pt *ptable) setCell(offset int, n *node, s proto.CellState) error {
	if s == proto.Discarded {
		pt.removeCell(offset, n)
		return nil
	}
	if n.state == proto.NodeUnknown {
		return &errPT{"Invalid node state"}
	}
	if _, ok := pt.count[n]; !ok {
		pt.count[n] = 0
	}
	if c := pt.cellOf(offset, n); c != nil {
		if c.state != proto.Feeding {
			pt.count[n]--
		}
		c.setState(s)
	} else {
		if len(pt.rows[offset]) == 0 {
			pt.filledRows++
		}
		c := &cell{node: n}
		c.setState(s)
		pt.rows[offset] = append(pt.rows[offset], c)
	}
	if s != proto.Feeding {
		pt.count[n]++
	}
	return nil
}

func (pt *ptable) removeCell(offset int, n *node) {
	row := pt.rows[offset]
	for i, c := range row {
		if c.node == n {
			pt.rows[offset] = append(row[:i:i], row[i+1:]...)
			if len(pt.rows[offset]) == 0 {
				pt.filledRows--
			}
			if c.state != proto.Feeding {
				pt.count[n]--
			}
			return
		}
	}
}

// load replaces the table by one a storage sent during recovery; node
// returns (creating it if needed) the node of a NID.
func (pt *ptable) load(ptid proto.PTid, nr int, rows [][]proto.CellInfo, node func(proto.NID) *node) error {
	log := pt.log
	*pt = *newPTable(len(rows), nr)
	pt.log = log
	pt.id = ptid
	for offset, row := range rows {
		for _, c := range row {
			if err := pt.setCell(offset, node(c.NID), c.State); err != nil {
				return err
			}
		}
	}
	return nil
}

// make builds a new table over nodes (all RUNNING storages).
func (pt *ptable) make(nodes []*node) error {
	pt.addNodeList(nodes)
	if _, err := pt.tweak(nil); err != nil {
		return err
	}
	for n, c := range pt.count {
		if c == 0 {
			delete(pt.count, n)
		}
	}
	return nil
}

// operational reports whether every partition has a readable cell on a
// RUNNING node not in exclude.
func (pt *ptable) operational(exclude map[proto.NID]bool) bool {
	if !pt.filled() {
		return false
	}
	for _, row := range pt.rows {
		ok := false
		for _, c := range row {
			if c.readable() && c.node.state == proto.NodeRunning && !exclude[c.node.nid] {
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

// nodeSet returns the nodes with a cell (a readable one if asked), in
// order of first appearance.
func (pt *ptable) nodeSet(readableOnly bool) []*node {
	seen := map[*node]bool{}
	var out []*node
	for _, row := range pt.rows {
		for _, c := range row {
			if (!readableOnly || c.readable()) && !seen[c.node] {
				seen[c.node] = true
				out = append(out, c.node)
			}
		}
	}
	return out
}

// operationalNodeSet returns the nodes with a readable cell if every
// partition has a readable cell on a PENDING node, else nil.
func (pt *ptable) operationalNodeSet() []*node {
	for _, row := range pt.rows {
		ok := false
		for _, c := range row {
			ok = ok || (c.readable() && c.node.state == proto.NodePending)
		}
		if !ok {
			return nil
		}
	}
	return pt.nodeSet(true)
}

func (pt *ptable) cellList(offset int, readableOnly bool) []*cell {
	var out []*cell
	for _, c := range pt.rows[offset] {
		if !readableOnly || c.readable() {
			out = append(out, c)
		}
	}
	return out
}

// rowList is the table as packets carry it.
func (pt *ptable) rowList() [][]proto.CellInfo {
	rows := make([][]proto.CellInfo, pt.np)
	for i, row := range pt.rows {
		r := make([]proto.CellInfo, len(row))
		for j, c := range row {
			r[j] = proto.CellInfo{NID: c.node.nid, State: c.state}
		}
		rows[i] = r
	}
	return rows
}

// outdate makes OUT_OF_DATE (or drops, when FEEDING) the readable cells of
// nodes that are not RUNNING — except those of lost for the partitions it
// was the last to serve, so that the cluster can restart with it.
func (pt *ptable) outdate(lost *node) []proto.CellChange {
	var changes []proto.CellChange
	for offset, row := range pt.rows {
		keep := lost
		var down []*cell
		for _, c := range row {
			if c.readable() {
				if c.node.state == proto.NodeRunning {
					keep = nil
				} else {
					down = append(down, c)
				}
			}
		}
		for _, c := range down {
			if c.node == keep {
				continue
			}
			s := proto.OutOfDate
			if c.state == proto.Feeding {
				pt.removeCell(offset, c.node)
				s = proto.Discarded
			} else {
				c.setState(s)
			}
			changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: c.node.nid, State: s})
		}
	}
	return changes
}

// dropNodeList removes every cell of nodes; a FEEDING cell left alone in
// a partition becomes UP_TO_DATE again. It refuses to drop the only
// readable copies of a partition. simulate only computes the changes.
func (pt *ptable) dropNodeList(nodes []*node, simulate bool) ([]proto.CellChange, error) {
	drop := map[*node]bool{}
	for _, n := range nodes {
		drop[n] = true
	}
	newRows := make([][]*cell, pt.np)
	var changes []proto.CellChange
	var feeding []*cell
	for offset, row := range pt.rows {
		var newRow []*cell
		var feed *cell
		dropReadable, upToDate := false, false
		for _, c := range row {
			if drop[c.node] {
				changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: c.node.nid, State: proto.Discarded})
				dropReadable = dropReadable || c.readable()
				continue
			}
			newRow = append(newRow, c)
			if c.state == proto.Feeding {
				feed = c
			} else if c.state == proto.UpToDate {
				upToDate = true
			}
		}
		newRows[offset] = newRow
		if feed != nil {
			if len(newRow) < len(row) {
				changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: feed.node.nid, State: proto.UpToDate})
				feeding = append(feeding, feed)
			}
		} else if dropReadable && !upToDate {
			return nil, &errPT{fmt.Sprintf("Refuse to drop nodes that contain the only readable copies of partition %d", offset)}
		}
	}
	if !simulate {
		pt.rows = newRows
		for _, c := range feeding {
			c.setState(proto.UpToDate)
			pt.count[c.node]++
		}
		for _, n := range nodes {
			delete(pt.count, n)
		}
		pt.filledRows = 0
		for _, r := range newRows {
			if len(r) > 0 {
				pt.filledRows++
			}
		}
	}
	return changes, nil
}

// setUpToDate marks n's cell of offset UP_TO_DATE once it replicated it,
// and drops FEEDING cells no longer needed. No changes (and no error) for
// a late notification.
func (pt *ptable) setUpToDate(n *node, offset int) ([]proto.CellChange, error) {
	if offset < 0 || offset >= pt.np {
		return nil, &errPT{fmt.Sprintf("partition %d out of range", offset)}
	}
	row := pt.rows[offset]
	c := pt.cellOf(offset, n)
	if c == nil {
		return nil, &errPT{"Non-assigned partition"}
	}
	if c.state != proto.OutOfDate || !c.updatable {
		return nil, nil
	}
	pt.setCell(offset, n, proto.UpToDate)
	changes := []proto.CellChange{{Partition: uint32(offset), NID: n.nid, State: proto.UpToDate}}
	row = pt.rows[offset]
	var nReadable int
	var feeding []*node
	for _, c := range row {
		if c.readable() {
			nReadable++
			if c.state == proto.Feeding {
				feeding = append(feeding, c.node)
			}
		}
	}
	if nReadable != len(row) {
		// Keep the wanted number of replicas: drop at most the extra
		// readable cells, first those of nodes being emptied.
		allFeeding := func(n *node) bool {
			for i := range pt.rows {
				if c := pt.cellOf(i, n); c != nil && c.state != proto.Feeding {
					return false
				}
			}
			return true
		}
		sort.SliceStable(feeding, func(i, j int) bool { return allFeeding(feeding[i]) && !allFeeding(feeding[j]) })
		if k := nReadable - pt.nr; k < len(feeding) {
			feeding = feeding[:max(0, k)]
		}
	}
	for _, f := range feeding {
		pt.removeCell(offset, f)
		changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: f.nid, State: proto.Discarded})
	}
	return changes, nil
}

// markUpdatable records that nid asked what to replicate for offsets.
func (pt *ptable) markUpdatable(nid proto.NID, offsets []uint32) {
	for _, o := range offsets {
		if int(o) >= pt.np {
			continue
		}
		for _, c := range pt.rows[o] {
			if c.node.nid == nid && !c.readable() {
				c.updatable = true
			}
		}
	}
}

// clone copies the table for a dry run (cells are copied, nodes shared).
func (pt *ptable) clone() *ptable {
	c := &ptable{np: pt.np, nr: pt.nr, id: pt.id, rows: make([][]*cell, pt.np), count: map[*node]int{}, filledRows: pt.filledRows}
	for i, row := range pt.rows {
		for _, x := range row {
			y := *x
			c.rows[i] = append(c.rows[i], &y)
		}
	}
	for n, k := range pt.count {
		c.count[n] = k
	}
	return c
}
