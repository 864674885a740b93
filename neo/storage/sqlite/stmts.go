package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// readStmts are the readers' hot queries, prepared once on the pool.
type readStmts struct {
	begin, commit                driver.Stmt
	objCurrent, objAt, objBefore driver.Stmt
	lastObjectTid                driver.Stmt
	trans, ttrans                driver.Stmt
	history, finalTid            driver.Stmt
}

// writeStmts are the writer's statements, prepared on its connection.
type writeStmts struct {
	begin, commit, rollback         *sql.Stmt
	getConfig, setConfig, delConfig *sql.Stmt
	insertData, findData            *sql.Stmt
	insertTObj, insertTTrans        *sql.Stmt
	dataAt                          *sql.Stmt
	lock                            *sql.Stmt
	moveTrans, dropTTransByTid      *sql.Stmt
	tobjDataIDs, moveObj, dropTObj  *sql.Stmt
	dropTTrans                      *sql.Stmt
}

// Parameters compared in WHERE are written +? : with a bare ?, SQLite
// (as modernc.org/sqlite builds it) recompiles the statement whenever the
// bound value changes, which costs more than the query itself.
//
// The object queries: one statement each returns the revision, its data
// and the next revision's tid (NEO/py asks that separately).
const objSelect = "SELECT o.tid, d.compression, d.hash, d.value, o.value_tid, "
const nextTid = "(SELECT n.tid FROM obj n WHERE n.partition=o.partition AND n.oid=o.oid AND n.tid>o.tid ORDER BY n.tid LIMIT 1)"
const objFrom = " FROM obj o LEFT JOIN data d ON o.data_id = d.id WHERE o.partition=+? AND o.oid=+?"

// prepare prepares the reader's statements on its connection c.
func (r *readStmts) prepare(c driver.Conn) error {
	for _, s := range []struct {
		p *driver.Stmt
		q string
	}{
		{&r.begin, "BEGIN"},
		{&r.commit, "COMMIT"},
		{&r.objCurrent, objSelect + "NULL" + objFrom + " ORDER BY o.tid DESC LIMIT 1"},
		{&r.objAt, objSelect + nextTid + objFrom + " AND o.tid=+?"},
		{&r.objBefore, objSelect + nextTid + objFrom + " AND o.tid<+? ORDER BY o.tid DESC LIMIT 1"},
		{&r.lastObjectTid, "SELECT tid FROM obj WHERE partition=+? AND oid=+? ORDER BY tid DESC LIMIT 1"},
		{&r.trans, "SELECT oids, user, description, ext, packed, ttid FROM trans WHERE partition=+? AND tid=+?"},
		{&r.ttrans, "SELECT oids, user, description, ext, packed, ttid FROM ttrans WHERE tid=+?"},
		{&r.history, "SELECT tid, LENGTH(value) FROM obj LEFT JOIN data ON obj.data_id = data.id" +
			" WHERE partition=+? AND oid=+? ORDER BY tid DESC LIMIT ?,?"},
		{&r.finalTid, "SELECT tid FROM trans WHERE partition=+? AND tid>=+? AND ttid=+? LIMIT 1"},
	} {
		st, err := c.Prepare(s.q)
		if err != nil {
			return err
		}
		*s.p = st
	}
	return nil
}

// prepare prepares the writer's statements.
func (db *DB) prepare(ctx context.Context) error {
	w := &db.mu.ws
	for _, s := range []struct {
		p *(*sql.Stmt)
		q string
	}{
		{&w.begin, "BEGIN IMMEDIATE"},
		{&w.commit, "COMMIT"},
		{&w.rollback, "ROLLBACK"},
		{&w.getConfig, "SELECT value FROM config WHERE name=+?"},
		{&w.setConfig, "REPLACE INTO config VALUES (?,?)"},
		{&w.delConfig, "DELETE FROM config WHERE name=+?"},
		{&w.insertData, "INSERT INTO data VALUES (?,?,?,?)"},
		{&w.findData, "SELECT id, value FROM data WHERE hash=+? AND compression=+?"},
		{&w.insertTObj, "INSERT OR FAIL INTO tobj VALUES (?,?,?,?,?)"},
		{&w.insertTTrans, "INSERT OR FAIL INTO ttrans VALUES (?,?,?,?,?,?,?,?)"},
		{&w.dataAt, "SELECT data_id FROM obj WHERE partition=+? AND oid=+? AND tid=+?"},
		{&w.lock, "UPDATE ttrans SET tid=? WHERE ttid=+?"},
		{&w.moveTrans, "INSERT INTO trans SELECT ?, tid, packed, oids, user, description, ext, ttid FROM ttrans WHERE tid=+?"},
		{&w.dropTTransByTid, "DELETE FROM ttrans WHERE tid=+?"},
		{&w.tobjDataIDs, "SELECT data_id FROM tobj WHERE tid=+? AND data_id IS NOT NULL"},
		{&w.moveObj, "INSERT INTO obj SELECT partition, oid, ?, data_id, value_tid FROM tobj WHERE tid=+?"},
		{&w.dropTObj, "DELETE FROM tobj WHERE tid=+?"},
		{&w.dropTTrans, "DELETE FROM ttrans WHERE ttid=+?"},
	} {
		st, err := db.mu.w.PrepareContext(ctx, s.q)
		if err != nil {
			return db.errorf("prepare", err)
		}
		*s.p = st
	}
	return nil
}

func closeAll(stmts ...*sql.Stmt) {
	for _, s := range stmts {
		if s != nil {
			s.Close()
		}
	}
}

func (r *readStmts) close() {
	for _, s := range []driver.Stmt{r.begin, r.commit, r.objCurrent, r.objAt, r.objBefore,
		r.lastObjectTid, r.trans, r.ttrans, r.history, r.finalTid} {
		if s != nil {
			s.Close()
		}
	}
}

func (w *writeStmts) close() {
	closeAll(w.begin, w.commit, w.rollback, w.getConfig, w.setConfig, w.delConfig,
		w.insertData, w.findData, w.insertTObj, w.insertTTrans, w.dataAt, w.lock,
		w.moveTrans, w.dropTTransByTid, w.tobjDataIDs, w.moveObj, w.dropTObj, w.dropTTrans)
}
