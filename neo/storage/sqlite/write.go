package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUndoPack: an undo record points to a revision this node should have
// (its partition is readable) but has not, e.g. packed away (NEO/py's
// UndoPackError). For a partition not readable, the record is stored
// without data, as NEO/py does, until replication brings it.
var ErrUndoPack = errors.New("undo: revision to restore not found (packed?)")

// dataIDBits: data.id is partition<<48 + a counter per partition, as
// NEO/py numbers them.
const dataIDBits = 48

// loadState reads what the writer keeps in memory after setup: the
// layout, and the references of voted transactions to their data
// (NEO/py's _uncommitted_data from tobj).
func (db *DB) loadState() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.loadLayoutLocked(); err != nil {
		return err
	}
	rows, err := db.mu.w.QueryContext(context.Background(),
		"SELECT data_id, COUNT(*) FROM tobj WHERE data_id IS NOT NULL GROUP BY data_id")
	if err != nil {
		return db.errorf("read tobj", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return db.errorf("read tobj", err)
		}
		db.mu.held[id] = n
	}
	if err := rows.Err(); err != nil {
		return db.errorf("read tobj", err)
	}
	return nil
}

// nextDataIDLocked returns the next free data id of partition p.
// REQUIRES: mu held.
func (db *DB) nextDataIDLocked(p uint32) (int64, error) {
	if id, ok := db.mu.nextData[p]; ok {
		return id, nil
	}
	lo := int64(p) << dataIDBits
	var last sql.NullInt64
	err := db.mu.w.QueryRowContext(context.Background(),
		"SELECT MAX(id) FROM data WHERE ? <= id AND id < ?", lo, lo+1<<dataIDBits).Scan(&last)
	if err != nil {
		return 0, db.errorf("next data id", err)
	}
	id := lo
	if last.Valid {
		id = last.Int64 + 1
	}
	db.mu.nextData[p] = id
	return id, nil
}

// StoreData stores a record's data and returns its id, holding a
// reference to it until the transaction storing it is unlocked or
// aborted (NEO/py's holdData). With a unique (hash, compression) index
// (--dedup), identical data returns the existing row; a different value
// under the same checksum is a collision error.
func (db *DB) StoreData(checksum [20]byte, compression byte, data []byte, oid zodb.Oid) (int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return 0, err
	}
	p, err := db.layout.Load().partition(uint64(oid))
	if err != nil {
		return 0, db.errorf(fmt.Sprintf("store data of %s", oid), err)
	}
	id, err := db.nextDataIDLocked(p)
	if err != nil {
		return 0, err
	}
	if data == nil {
		data = []byte{} // NOT NULL: an empty record is an empty blob
	}
	_, err = db.mu.ws.insertData.Exec(id, checksum[:], compression, data)
	var serr *msqlite.Error
	if errors.As(err, &serr) && serr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		var value []byte
		err = db.mu.ws.findData.QueryRow(checksum[:], compression).Scan(&id, &value)
		if err == nil && !bytes.Equal(value, data) {
			err = fmt.Errorf("checksum %x collides with data row %d", checksum, id)
		}
	} else if err == nil {
		db.mu.nextData[p] = id + 1
	}
	if err != nil {
		return 0, db.errorf(fmt.Sprintf("store data of %s", oid), err)
	}
	db.mu.held[id]++
	return id, nil
}

// ReleaseData drops references StoreData took (for a transaction aborted,
// or a store replaced, before the unlock releases them) and deletes the
// rows nothing references any more (NEO/py's releaseData with prune).
// Like StoreData, it leaves the deletion to the next commit point.
func (db *DB) ReleaseData(ids []int64) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	db.releaseLocked(ids)
	return db.pruneLocked(ids)
}

// REQUIRES: mu held.
func (db *DB) releaseLocked(ids []int64) {
	for _, id := range ids {
		if n := db.mu.held[id]; n > 1 {
			db.mu.held[id] = n - 1
		} else {
			delete(db.mu.held, id)
		}
	}
}

// pruneLocked deletes the data rows among ids that no transaction holds
// and no committed object uses (NEO/py's _pruneData).
// REQUIRES: mu held, transaction open.
func (db *DB) pruneLocked(ids []int64) error {
	ctx := context.Background()
	for _, id := range ids {
		if db.mu.held[id] > 0 {
			continue
		}
		if _, err := db.mu.w.ExecContext(ctx, "DELETE FROM data WHERE id=?"+
			" AND NOT EXISTS (SELECT 1 FROM obj WHERE data_id=?)", id, id); err != nil {
			return db.errorf("prune data", err)
		}
	}
	return nil
}

// dataIDsLocked runs a query returning data ids on the writer.
// REQUIRES: mu held.
func (db *DB) dataIDsLocked(q string, args ...any) ([]int64, error) {
	rows, err := db.mu.w.QueryContext(context.Background(), q, args...)
	if err != nil {
		return nil, db.errorf("read data ids", err)
	}
	return scanIDs(db, rows)
}

func scanIDs(db *DB, rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, db.errorf("read data ids", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("read data ids", err)
	}
	return ids, nil
}

// StoreTransaction writes the objects (tobj) and, when txn is not nil, the
// metadata (ttrans) of transaction ttid; Commit makes them durable (the
// vote). An undo record (DataID NoData, ValueTid set) gets the data id of
// the revision it points to, as NEO/py's storeData with data_tid.
func (db *DB) StoreTransaction(ttid zodb.Tid, objs []backend.TempObject, txn *backend.Txn) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	l := db.layout.Load()
	if l.np == 0 {
		return db.errorf(fmt.Sprintf("store transaction %s", ttid), errNoPT)
	}
	for _, o := range objs {
		if err := db.storeObjLocked(l, ttid, o); err != nil {
			return err
		}
	}
	if txn == nil {
		return nil
	}
	p, _ := l.partition(uint64(ttid))
	_, err := db.mu.ws.insertTTrans.Exec(p, nil, txn.Packed, EncodeOids(txn.Oids),
		nonNil(txn.User), nonNil(txn.Description), nonNil(txn.Extension), int64(ttid))
	if err != nil {
		return db.errorf(fmt.Sprintf("store transaction %s", ttid), err)
	}
	return nil
}

// REQUIRES: mu held, transaction open.
func (db *DB) storeObjLocked(l *layout, ttid zodb.Tid, o backend.TempObject) error {
	p, _ := l.partition(uint64(o.Oid))
	var dataID, valueTid any
	if o.DataID != backend.NoData {
		dataID = o.DataID
	}
	if o.ValueTid != proto.NoTid {
		valueTid = int64(o.ValueTid)
		if o.DataID == backend.NoData {
			var id sql.NullInt64
			err := db.mu.ws.dataAt.QueryRow(p, int64(o.Oid), int64(o.ValueTid)).Scan(&id)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return db.errorf(fmt.Sprintf("store %s in %s", o.Oid, ttid), err)
			}
			if !id.Valid && errors.Is(err, sql.ErrNoRows) && slices.Contains(l.readable, p) {
				return db.errorf(fmt.Sprintf("store %s in %s", o.Oid, ttid),
					fmt.Errorf("%w: no revision %s", ErrUndoPack, o.ValueTid))
			}
			if id.Valid {
				// Held like StoreData's: released by the unlock (with the
				// tobj row) or by the abort.
				dataID = id.Int64
				db.mu.held[id.Int64]++
				db.mu.undoHeld[ttid] = append(db.mu.undoHeld[ttid], id.Int64)
			}
		}
	}
	if _, err := db.mu.ws.insertTObj.Exec(p, int64(o.Oid), int64(ttid), dataID, valueTid); err != nil {
		return db.errorf(fmt.Sprintf("store %s in %s", o.Oid, ttid), err)
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// LockTransaction gives ttid its final tid and commits with an fsync: the
// transaction survives a crash from here on.
func (db *DB) LockTransaction(tid, ttid zodb.Tid) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	if _, err := db.mu.ws.lock.Exec(int64(tid), int64(ttid)); err != nil {
		return db.errorf(fmt.Sprintf("lock %s as %s", ttid, tid), err)
	}
	return db.commitLocked(syncFull)
}

// UnlockTransaction moves ttid's rows into trans and obj under tid and
// commits, without an fsync (a crash replays it from the locked ttrans).
func (db *DB) UnlockTransaction(tid, ttid zodb.Tid) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncNormal); err != nil {
		return err
	}
	op := fmt.Sprintf("unlock %s as %s", ttid, tid)
	ws := &db.mu.ws
	// trans is keyed by tid's partition; NEO's master picks tid in ttid's
	// partition, but the row need not rely on it.
	p, err := db.layout.Load().partition(uint64(tid))
	if err != nil {
		return db.errorf(op, err)
	}
	if _, err := ws.moveTrans.Exec(p, int64(tid)); err != nil {
		return db.errorf(op, err)
	}
	if _, err := ws.dropTTransByTid.Exec(int64(tid)); err != nil {
		return db.errorf(op, err)
	}
	rows, err := ws.tobjDataIDs.Query(int64(ttid))
	if err != nil {
		return db.errorf(op, err)
	}
	ids, err := scanIDs(db, rows)
	if err != nil {
		return err
	}
	if _, err := ws.moveObj.Exec(int64(tid), int64(ttid)); err != nil {
		return db.errorf(op, err)
	}
	if _, err := ws.dropTObj.Exec(int64(ttid)); err != nil {
		return db.errorf(op, err)
	}
	db.releaseLocked(ids)
	delete(db.mu.undoHeld, ttid)
	return db.commitLocked(syncNormal)
}

// AbortTransaction drops ttid's temporary rows and commits. As NEO/py's
// abortTransaction, it leaves the references StoreData took to the caller,
// who releases them with ReleaseData (NEO/py's releaseData): only data
// that nothing holds and no committed object uses is deleted here.
func (db *DB) AbortTransaction(ttid zodb.Tid) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncNormal); err != nil {
		return err
	}
	op := fmt.Sprintf("abort %s", ttid)
	ws := &db.mu.ws
	rows, err := ws.tobjDataIDs.Query(int64(ttid))
	if err != nil {
		return db.errorf(op, err)
	}
	ids, err := scanIDs(db, rows)
	if err != nil {
		return err
	}
	if _, err := ws.dropTObj.Exec(int64(ttid)); err != nil {
		return db.errorf(op, err)
	}
	if _, err := ws.dropTTrans.Exec(int64(ttid)); err != nil {
		return db.errorf(op, err)
	}
	db.releaseLocked(db.mu.undoHeld[ttid])
	delete(db.mu.undoHeld, ttid)
	if err := db.pruneLocked(ids); err != nil {
		return err
	}
	return db.commitLocked(syncNormal)
}

// LockedTransactions returns the unfinished transactions, ttid -> tid:
// locked ones with their tid, voted but unlocked ones with NoTid (NEO/py's
// getUnfinishedTIDDict, which AnswerLockedTransactions carries whole).
func (db *DB) LockedTransactions() (map[zodb.Tid]zodb.Tid, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkOpenLocked(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	r := map[zodb.Tid]zodb.Tid{}
	rows, err := db.mu.w.QueryContext(ctx, "SELECT DISTINCT tid FROM tobj")
	if err != nil {
		return nil, db.errorf("unfinished transactions", err)
	}
	ttids, err := scanIDs(db, rows)
	if err != nil {
		return nil, err
	}
	for _, t := range ttids {
		r[zodb.Tid(t)] = proto.NoTid
	}
	rows, err = db.mu.w.QueryContext(ctx, "SELECT ttid, tid FROM ttrans")
	if err != nil {
		return nil, db.errorf("unfinished transactions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ttid int64
		var tid sql.NullInt64
		if err := rows.Scan(&ttid, &tid); err != nil {
			return nil, db.errorf("unfinished transactions", err)
		}
		r[zodb.Tid(ttid)] = nullTid(tid)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("unfinished transactions", err)
	}
	return r, nil
}

// DropUnfinished drops the temporary rows of every transaction not locked
// and the data only they used, then commits (NEO/py's
// dropUnfinishedData, which runs once locked transactions were validated).
func (db *DB) DropUnfinished() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.beginLocked(syncFull); err != nil {
		return err
	}
	const unlocked = " WHERE tid NOT IN (SELECT ttid FROM ttrans WHERE tid IS NOT NULL)"
	ids, err := db.dataIDsLocked("SELECT data_id FROM tobj" + unlocked + " AND data_id IS NOT NULL")
	if err != nil {
		return err
	}
	ctx := context.Background()
	for _, q := range []string{
		"DELETE FROM tobj" + unlocked,
		"DELETE FROM pack WHERE tid IN (SELECT ttid FROM ttrans WHERE tid IS NULL)",
		"DELETE FROM ttrans WHERE tid IS NULL",
	} {
		if _, err := db.mu.w.ExecContext(ctx, q); err != nil {
			return db.errorf("drop unfinished", err)
		}
	}
	db.releaseLocked(ids)
	clear(db.mu.undoHeld) // released with the tobj rows (or locked: kept to unlock)
	if err := db.pruneLocked(ids); err != nil {
		return err
	}
	return db.commitLocked(syncFull)
}

func nullTid(n sql.NullInt64) zodb.Tid {
	if !n.Valid {
		return proto.NoTid
	}
	return zodb.Tid(n.Int64)
}
