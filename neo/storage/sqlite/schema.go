package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Version is the schema version NEO/py's SQLiteDatabaseManager.VERSION
// writes in config "version".
const Version = 4

// The tables, in NEO/py's order and with its exact text (sqlite_master
// keeps it, and NEO/py's migrations and dumps compare it). %s is the table
// name, with "IF NOT EXISTS " when creating.
var schema = []struct{ name, sql string }{
	{"config", `CREATE TABLE %s (
                 name TEXT NOT NULL PRIMARY KEY,
                 value TEXT) WITHOUT ROWID
            `},
	{"pt", `CREATE TABLE %s (
                 partition INTEGER NOT NULL,
                 nid INTEGER NOT NULL,
                 tid INTEGER NOT NULL,
                 pack INTEGER,
                 PRIMARY KEY (partition, nid)
            ) WITHOUT ROWID
            `},
	{"pack", `CREATE TABLE %s (
                 tid INTEGER PRIMARY KEY,
                 approved BOOLEAN, -- NULL if not signed
                 partial BOOLEAN NOT NULL,
                 oids BLOB, -- same format as trans.oids
                 pack_tid INTEGER)
            `},
	{"trans", `CREATE TABLE %s (
                 partition INTEGER NOT NULL,
                 tid INTEGER NOT NULL,
                 packed BOOLEAN NOT NULL,
                 oids BLOB NOT NULL,
                 user BLOB NOT NULL,
                 description BLOB NOT NULL,
                 ext BLOB NOT NULL,
                 ttid INTEGER NOT NULL,
                 PRIMARY KEY (partition, tid)
            ) WITHOUT ROWID
            `},
	{"obj", `CREATE TABLE %s (
                 partition INTEGER NOT NULL,
                 oid INTEGER NOT NULL,
                 tid INTEGER NOT NULL,
                 data_id INTEGER,
                 value_tid INTEGER,
                 PRIMARY KEY (partition, oid, tid)
            ) WITHOUT ROWID
            `},
	{"data", `CREATE TABLE %s (
                 id INTEGER PRIMARY KEY,
                 hash BLOB NOT NULL,
                 compression INTEGER NOT NULL,
                 value BLOB NOT NULL)
            `},
	{"ttrans", `CREATE TABLE %s (
                 partition INTEGER NOT NULL,
                 tid INTEGER,
                 packed BOOLEAN NOT NULL,
                 oids BLOB NOT NULL,
                 user BLOB NOT NULL,
                 description BLOB NOT NULL,
                 ext BLOB NOT NULL,
                 ttid INTEGER NOT NULL)
            `},
	{"tobj", `CREATE TABLE %s (
                 partition INTEGER NOT NULL,
                 oid INTEGER NOT NULL,
                 tid INTEGER NOT NULL,
                 data_id INTEGER,
                 value_tid INTEGER,
                 PRIMARY KEY (tid, oid)
            ) WITHOUT ROWID
            `},
}

// indexes are NEO/py's, named _<table>_i<n>.
var indexes = []string{
	"CREATE INDEX IF NOT EXISTS _obj_i1 ON obj(partition, tid, oid)",
	"CREATE INDEX IF NOT EXISTS _obj_i2 ON obj(data_id)",
}

// dedupIndex makes identical data rows impossible (--dedup).
const dedupIndex = "CREATE UNIQUE INDEX IF NOT EXISTS _data_i1 ON data(hash, compression)"

// setup erases the tables with opt.Reset, checks that an existing
// database is NEO's and not newer, and creates what is missing, in one
// transaction (NEO/py's setup and _setup).
func (db *DB) setup(ctx context.Context, opt Options) (err error) {
	w := db.mu.w
	if _, err := w.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return db.errorf("setup", err)
	}
	defer func() {
		if err != nil {
			w.ExecContext(ctx, "ROLLBACK")
			return
		}
		if _, err = w.ExecContext(ctx, "COMMIT"); err != nil {
			err = db.errorf("setup", err)
		}
	}()
	if opt.Reset {
		for _, t := range schema {
			if _, err := w.ExecContext(ctx, "DROP TABLE IF EXISTS "+t.name); err != nil {
				return db.errorf("reset", err)
			}
		}
	}
	if err := db.checkSchema(ctx); err != nil {
		return err
	}
	for _, t := range schema {
		if _, err := w.ExecContext(ctx, fmt.Sprintf(t.sql, "IF NOT EXISTS "+t.name)); err != nil {
			return db.errorf("create "+t.name, err)
		}
	}
	idx := indexes
	if opt.Dedup {
		idx = append(idx[:len(idx):len(idx)], dedupIndex)
	}
	for _, q := range idx {
		if _, err := w.ExecContext(ctx, q); err != nil {
			return db.errorf("create index", err)
		}
	}
	return nil
}

// checkSchema accepts an empty file (and writes the version), a NEO
// database of this version, and refuses anything else: other SQLite
// databases, newer versions, and older ones (NEO/py migrates those; open
// them once with a NEO/py storage to upgrade).
func (db *DB) checkSchema(ctx context.Context) error {
	w := db.mu.w
	var tables int
	if err := w.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type='table'").Scan(&tables); err != nil {
		return db.errorf("read schema", err)
	}
	var hasConfig int
	if err := w.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='config'").Scan(&hasConfig); err != nil {
		return db.errorf("read schema", err)
	}
	if hasConfig == 0 {
		if tables != 0 {
			return db.errorf("open", fmt.Errorf("not a NEO storage database (no config table)"))
		}
		if _, err := w.ExecContext(ctx, fmt.Sprintf(schema[0].sql, "config")); err != nil {
			return db.errorf("create config", err)
		}
		_, err := w.ExecContext(ctx, "REPLACE INTO config VALUES ('version', ?)", strconv.Itoa(Version))
		if err != nil {
			return db.errorf("set version", err)
		}
		return nil
	}
	var v *string
	err := w.QueryRowContext(ctx, "SELECT value FROM config WHERE name='version'").Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return db.errorf("read version", err)
	}
	version := 0
	if v != nil {
		if version, err = strconv.Atoi(*v); err != nil {
			return db.errorf("open", fmt.Errorf("invalid version %q in config", *v))
		}
	}
	switch {
	case version > Version:
		return db.errorf("open", fmt.Errorf("database version %d is newer than %d: it can not be downgraded", version, Version))
	case version < Version:
		return db.errorf("open", fmt.Errorf("database version %d is older than %d: upgrade it by opening it once with a NEO/py storage", version, Version))
	}
	return nil
}
