package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
// database of this version or an older one (upgraded as NEO/py does), and
// refuses anything else: other SQLite databases and newer versions.
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
	if version > Version {
		return db.errorf("open", fmt.Errorf("database version %d is newer than %d: it can not be downgraded", version, Version))
	}
	for version < Version {
		version++
		if err := db.migrate(ctx, version); err != nil {
			return db.errorf(fmt.Sprintf("upgrade to version %d", version), err)
		}
		if _, err := w.ExecContext(ctx, "REPLACE INTO config VALUES ('version', ?)", strconv.Itoa(version)); err != nil {
			return db.errorf("set version", err)
		}
	}
	return nil
}

// migrate upgrades the tables to version, as NEO/py's _migrate<version>,
// inside setup's transaction.
func (db *DB) migrate(ctx context.Context, version int) error {
	w := db.mu.w
	switch version {
	case 1: // ttrans changed: recreated, if there is nothing unfinished
		for _, t := range []string{"ttrans", "tobj"} {
			if _, nonempty, err := db.tableState(ctx, t); err != nil {
				return err
			} else if nonempty {
				return fmt.Errorf("the database has unfinished transactions: finish them with the NEO version that wrote it")
			}
		}
		_, err := w.ExecContext(ctx, "DROP TABLE IF EXISTS ttrans")
		return err
	case 2: // obj became WITHOUT ROWID
		return db.alterTable(ctx, "obj", schemaOf("obj"), "*")
	case 3: // pt: minus the cell state, or the replicated tid
		v3pt := strings.Replace(schemaOf("pt"), "pack INTEGER,", "", 1)
		return db.alterTable(ctx, "pt", v3pt,
			"rid, nid, CASE state WHEN 0 THEN -1 WHEN 2 THEN -2 ELSE 1-state END")
	case 4: // pt.pack; the number of partitions is pt's
		if _, err := w.ExecContext(ctx, "DELETE FROM config WHERE name='partitions'"); err != nil {
			return err
		}
		var nid sql.NullInt64
		err := w.QueryRowContext(ctx, "SELECT CAST(value AS INTEGER) FROM config WHERE name='nid'").Scan(&nid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return db.alterTable(ctx, "pt", schemaOf("pt"),
			fmt.Sprintf("*, CASE WHEN nid=%d THEN 0 ELSE NULL END", nid.Int64))
	}
	return fmt.Errorf("no migration to version %d", version)
}

func schemaOf(table string) string {
	for _, t := range schema {
		if t.name == table {
			return t.sql
		}
	}
	panic("sqlite: no table " + table) // a programming error: names are constants
}

// tableState tells whether table exists and has rows.
func (db *DB) tableState(ctx context.Context, table string) (exists, nonempty bool, err error) {
	w := db.mu.w
	var n int
	if err := w.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?", table).Scan(&n); err != nil {
		return false, false, err
	}
	if n == 0 {
		return false, false, nil
	}
	err = w.QueryRowContext(ctx, "SELECT 1 FROM "+table+" LIMIT 1").Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return true, false, nil
	}
	return true, err == nil, err
}

// alterTable rebuilds table with a new schema from the rows select gives,
// resuming an interrupted rebuild as NEO/py's _alterTable.
func (db *DB) alterTable(ctx context.Context, table, schemaSQL, sel string) error {
	w := db.mu.w
	tmp := "new_" + table
	exists, _, err := db.tableState(ctx, table)
	if err != nil {
		return err
	}
	if !exists {
		if tmpExists, _, err := db.tableState(ctx, tmp); err != nil || !tmpExists {
			return err
		}
	} else {
		for _, q := range []string{
			"DROP TABLE IF EXISTS " + tmp,
			fmt.Sprintf(schemaSQL, tmp),
			fmt.Sprintf("INSERT INTO %s SELECT %s FROM %s", tmp, sel, table),
			"DROP TABLE " + table,
		} {
			if _, err := w.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	_, err = w.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s RENAME TO %s", tmp, table))
	return err
}
