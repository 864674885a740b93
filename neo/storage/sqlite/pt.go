package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// layout is what every query needs to find rows: the number of partitions
// (1 + the highest in pt: NEO/py keeps no separate count since version 4)
// and this node's readable partitions. It changes only with the partition
// table or the node's id, and readers load it without a lock.
type layout struct {
	np       uint32
	nid      proto.NID
	readable []uint32 // own UP_TO_DATE or FEEDING cells, sorted
}

// cell states as stored in pt.tid: minus the state, except OUT_OF_DATE
// cells of this node, which keep the last tid replicated (>= 0).
func encodeCellTid(s proto.CellState) int64 { return -int64(s) }

func decodeCellTid(tid int64) (proto.CellState, zodb.Tid) {
	if tid < 0 {
		return proto.CellState(-tid), 0
	}
	return proto.OutOfDate, zodb.Tid(tid)
}

func readableState(s proto.CellState) bool { return s == proto.UpToDate || s == proto.Feeding }

// loadLayoutLocked reads pt and nid into db.layout.
// REQUIRES: mu held.
func (db *DB) loadLayoutLocked() error {
	nid, err := db.nidLocked()
	if err != nil {
		return err
	}
	l := &layout{nid: nid}
	rows, err := db.mu.w.QueryContext(context.Background(), "SELECT partition, nid, tid FROM pt")
	if err != nil {
		return db.errorf("read pt", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, n, tid int64
		if err := rows.Scan(&p, &n, &tid); err != nil {
			return db.errorf("read pt", err)
		}
		if p < 0 || p >= 1<<16 {
			return db.errorf("read pt", fmt.Errorf("%w: partition %d out of range", zodb.ErrCorrupt, p))
		}
		if uint32(p)+1 > l.np {
			l.np = uint32(p) + 1
		}
		if s, _ := decodeCellTid(tid); proto.NID(n) == nid && nid != proto.NoNID && readableState(s) {
			l.readable = append(l.readable, uint32(p))
		}
	}
	if err := rows.Err(); err != nil {
		return db.errorf("read pt", err)
	}
	slices.Sort(l.readable)
	if old := db.layout.Load(); old == nil || old.np != l.np {
		clear(db.mu.nextData)
	}
	db.layout.Store(l)
	return nil
}

// partitionOf returns x % np, or an error before any partition table.
func (l *layout) partition(x uint64) (uint32, error) {
	if l.np == 0 {
		return 0, errNoPT
	}
	return uint32(x % uint64(l.np)), nil
}

var errNoPT = fmt.Errorf("no partition table")

// PartitionTable returns ptid, replicas and every cell of pt.
func (db *DB) PartitionTable() (*backend.PartitionTable, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkOpenLocked(); err != nil {
		return nil, err
	}
	pt := &backend.PartitionTable{}
	if v, ok, err := db.configLocked("ptid"); err != nil {
		return nil, err
	} else if ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, db.errorf("config ptid", fmt.Errorf("%w: invalid value %q", zodb.ErrCorrupt, v))
		}
		pt.PTid = proto.PTid(n)
	}
	if v, ok, err := db.configLocked("replicas"); err != nil {
		return nil, err
	} else if ok {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, db.errorf("config replicas", fmt.Errorf("%w: invalid value %q", zodb.ErrCorrupt, v))
		}
		pt.NumReplicas = uint32(n)
	}
	rows, err := db.mu.w.QueryContext(context.Background(),
		"SELECT partition, nid, tid FROM pt ORDER BY partition, nid")
	if err != nil {
		return nil, db.errorf("read pt", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, nid, tid int64
		if err := rows.Scan(&p, &nid, &tid); err != nil {
			return nil, db.errorf("read pt", err)
		}
		s, t := decodeCellTid(tid)
		if p < 0 || p >= 1<<16 || s > proto.Discarded {
			return nil, db.errorf("read pt", fmt.Errorf("%w: cell (%d, %d, %d)", zodb.ErrCorrupt, p, nid, tid))
		}
		pt.Cells = append(pt.Cells, backend.Cell{Partition: uint32(p), NID: proto.NID(nid), State: s, Tid: t})
		if uint32(p)+1 > pt.NumPartitions {
			pt.NumPartitions = uint32(p) + 1
		}
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("read pt", err)
	}
	return pt, nil
}

// SetPartitionTable replaces the whole table (NEO/py's
// changePartitionTable with reset) and commits; the data of partitions
// this node (self) no longer has is dropped.
func (db *DB) SetPartitionTable(pt *backend.PartitionTable, self proto.NID) error {
	changes := make([]proto.CellChange, len(pt.Cells))
	for i, c := range pt.Cells {
		changes[i] = proto.CellChange{Partition: c.Partition, NID: c.NID, State: c.State}
	}
	return db.changePT(pt.PTid, pt.NumReplicas, changes, self, true)
}

// ChangePartitionTable applies NotifyPartitionChanges and commits.
func (db *DB) ChangePartitionTable(ptid proto.PTid, nr uint32, changes []proto.CellChange, self proto.NID) error {
	return db.changePT(ptid, nr, changes, self, false)
}

func (db *DB) changePT(ptid proto.PTid, nr uint32, changes []proto.CellChange, self proto.NID, reset bool) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	drop, err := db.changeCellsLocked(changes, self, reset)
	if err != nil {
		return err
	}
	for _, p := range drop {
		if err := db.dropPartitionLocked(p); err != nil {
			return err
		}
	}
	sp := strconv.FormatUint(uint64(ptid), 10)
	sr := strconv.FormatUint(uint64(nr), 10)
	if err := db.setConfigLocked("ptid", &sp); err != nil {
		return err
	}
	if err := db.setConfigLocked("replicas", &sr); err != nil {
		return err
	}
	if err := db.commitLocked(syncFull); err != nil {
		return err
	}
	return db.loadLayoutLocked()
}

type cellKey struct {
	p   uint32
	nid proto.NID
}

// changeCellsLocked writes the cells as NEO/py's changePartitionTable:
// DISCARDED removes a cell, an own OUT_OF_DATE cell keeps (or starts)
// its replication tid, others store minus their state; own cells get a
// pack id (0: NEO/py's last pack id while nothing was packed). It returns
// the own partitions whose data must go.
// REQUIRES: mu held, transaction open.
func (db *DB) changeCellsLocked(changes []proto.CellChange, self proto.NID, reset bool) ([]uint32, error) {
	ctx := context.Background()
	w := db.mu.w
	old, err := db.cellsLocked()
	if err != nil {
		return nil, err
	}

	mine := map[uint32]bool{}    // own partitions after the change
	dropped := map[uint32]bool{} // own partitions discarded
	maxP := -1
	keep := map[cellKey]bool{}
	for _, c := range changes {
		maxP = max(maxP, int(c.Partition))
		k := cellKey{c.Partition, c.NID}
		if c.State == proto.Discarded {
			if c.NID == self {
				dropped[c.Partition] = true
			}
			if _, err := w.ExecContext(ctx, "DELETE FROM pt WHERE partition=? AND nid=?", c.Partition, int64(c.NID)); err != nil {
				return nil, db.errorf("write pt", err)
			}
			delete(old, k)
			continue
		}
		keep[k] = true
		var pack any // NULL for other nodes' cells
		tid := encodeCellTid(c.State)
		if c.NID == self {
			mine[c.Partition] = true
			delete(dropped, c.Partition)
			pack = int64(0)
			if c.State == proto.OutOfDate {
				if tid, err = db.outOfDateTidLocked(c.Partition, old[k]); err != nil {
					return nil, err
				}
			}
		}
		if _, ok := old[k]; ok {
			_, err = w.ExecContext(ctx, "UPDATE pt SET tid=? WHERE partition=? AND nid=?", tid, c.Partition, int64(c.NID))
		} else {
			_, err = w.ExecContext(ctx, "INSERT INTO pt VALUES (?,?,?,?)", c.Partition, int64(c.NID), tid, pack)
		}
		if err != nil {
			return nil, db.errorf("write pt", err)
		}
		old[k] = tid
	}
	if reset {
		for k := range old {
			if keep[k] {
				continue
			}
			if _, err := w.ExecContext(ctx, "DELETE FROM pt WHERE partition=? AND nid=?", k.p, int64(k.nid)); err != nil {
				return nil, db.errorf("write pt", err)
			}
		}
		for p := 0; p <= maxP; p++ {
			if !mine[uint32(p)] {
				dropped[uint32(p)] = true
			}
		}
	}
	drop := make([]uint32, 0, len(dropped))
	for p := range dropped {
		drop = append(drop, p)
	}
	slices.Sort(drop)
	return drop, nil
}

// cellsLocked reads pt: cell -> tid column.
// REQUIRES: mu held.
func (db *DB) cellsLocked() (map[cellKey]int64, error) {
	cells := map[cellKey]int64{}
	rows, err := db.mu.w.QueryContext(context.Background(), "SELECT partition, nid, tid FROM pt")
	if err != nil {
		return nil, db.errorf("read pt", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, n, tid int64
		if err := rows.Scan(&p, &n, &tid); err != nil {
			return nil, db.errorf("read pt", err)
		}
		cells[cellKey{uint32(p), proto.NID(n)}] = tid
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("read pt", err)
	}
	return cells, nil
}

// outOfDateTidLocked is the replication tid of an own cell becoming
// OUT_OF_DATE: kept if it already was, 0 if it was not readable, else the
// last tid it holds (NEO/py's changePartitionTable).
// REQUIRES: mu held.
func (db *DB) outOfDateTidLocked(p uint32, prev int64) (int64, error) {
	if prev >= 0 {
		return prev, nil
	}
	if s, _ := decodeCellTid(prev); !readableState(s) {
		return 0, nil
	}
	var a, b int64
	err := db.mu.w.QueryRowContext(context.Background(),
		"SELECT COALESCE((SELECT MAX(tid) FROM obj WHERE partition=?), -1),"+
			" COALESCE((SELECT MAX(tid) FROM trans WHERE partition=?), -1)", p, p).Scan(&a, &b)
	if err != nil {
		return 0, db.errorf("read last tid", err)
	}
	return max(0, a, b), nil
}

// dropPartitionLocked deletes a partition's committed rows and the data
// only they used (NEO/py does it in the background; partitions move
// rarely and our databases are small enough to do it at once).
// REQUIRES: mu held, transaction open.
func (db *DB) dropPartitionLocked(p uint32) error {
	ctx := context.Background()
	w := db.mu.w
	ids, err := db.dataIDsLocked("SELECT DISTINCT data_id FROM obj WHERE partition=? AND data_id IS NOT NULL", p)
	if err != nil {
		return err
	}
	for _, q := range []string{
		"DELETE FROM obj WHERE partition=?",
		"DELETE FROM pack WHERE tid IN (SELECT tid FROM trans JOIN pack USING (tid) WHERE partition=?)",
		"DELETE FROM trans WHERE partition=?",
	} {
		if _, err := w.ExecContext(ctx, q, p); err != nil {
			return db.errorf(fmt.Sprintf("drop partition %d", p), err)
		}
	}
	return db.pruneLocked(ids)
}
