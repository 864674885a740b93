package sqlite

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// The schemas of older NEO/py versions (neo/storage/database/sqlite.py
// before its VERSION 3 and 4), with a few rows.
var (
	v2Schema = []string{
		"CREATE TABLE config (name TEXT NOT NULL PRIMARY KEY, value TEXT)",
		"CREATE TABLE pt (rid INTEGER NOT NULL, nid INTEGER NOT NULL, state INTEGER NOT NULL, PRIMARY KEY (rid, nid))",
		"CREATE TABLE trans (partition INTEGER NOT NULL, tid INTEGER NOT NULL, packed BOOLEAN NOT NULL," +
			" oids BLOB NOT NULL, user BLOB NOT NULL, description BLOB NOT NULL, ext BLOB NOT NULL," +
			" ttid INTEGER NOT NULL, PRIMARY KEY (partition, tid))",
		"CREATE TABLE obj (partition INTEGER NOT NULL, oid INTEGER NOT NULL, tid INTEGER NOT NULL," +
			" data_id INTEGER, value_tid INTEGER, PRIMARY KEY (partition, oid, tid))",
		"CREATE TABLE data (id INTEGER PRIMARY KEY, hash BLOB NOT NULL, compression INTEGER NOT NULL, value BLOB NOT NULL)",
		"CREATE TABLE ttrans (partition INTEGER NOT NULL, tid INTEGER, packed BOOLEAN NOT NULL," +
			" oids BLOB NOT NULL, user BLOB NOT NULL, description BLOB NOT NULL, ext BLOB NOT NULL, ttid INTEGER NOT NULL)",
		"CREATE TABLE tobj (partition INTEGER NOT NULL, oid INTEGER NOT NULL, tid INTEGER NOT NULL," +
			" data_id INTEGER, value_tid INTEGER, PRIMARY KEY (tid, oid))",
		"INSERT INTO config VALUES ('version', '2'), ('nid', '1'), ('name', 'old'), ('partitions', '2')," +
			" ('ptid', '5'), ('replicas', '1')",
		// UP_TO_DATE, OUT_OF_DATE, FEEDING, CORRUPTED in the old numbering.
		"INSERT INTO pt VALUES (0, 1, 0), (0, 2, 1), (1, 1, 2), (1, 2, 4)",
		"INSERT INTO trans VALUES (0, 10, 0, X'0000000000000000', X'', X'6f6c64', X'', 10)",
		"INSERT INTO obj VALUES (0, 0, 10, 0, NULL)",
		"INSERT INTO data VALUES (0, X'0000000000000000000000000000000000000000', 0, X'6f6c64')",
	}
	v3Schema = []string{
		"CREATE TABLE config (name TEXT NOT NULL PRIMARY KEY, value TEXT) WITHOUT ROWID",
		"CREATE TABLE pt (partition INTEGER NOT NULL, nid INTEGER NOT NULL, tid INTEGER NOT NULL," +
			" PRIMARY KEY (partition, nid)) WITHOUT ROWID",
		"INSERT INTO config VALUES ('version', '3'), ('nid', '1'), ('name', 'old'), ('partitions', '2')," +
			" ('ptid', '5'), ('replicas', '1')",
		"INSERT INTO pt VALUES (0, 1, -1), (0, 2, 0), (1, 1, -2), (1, 2, -3)",
	}
)

func TestMigrate(t *testing.T) {
	for _, c := range []struct {
		name   string
		schema []string
	}{{"v2", v2Schema}, {"v3", v3Schema}} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.sqlite")
			execSQL(t, path, c.schema...)
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			want := []string{"0,1,-1,0", "0,2,0,NULL", "1,1,-2,0", "1,2,-3,NULL"}
			if got := ptRows(t, db); !slices.Equal(got, want) {
				t.Errorf("pt %v, want %v", got, want)
			}
			if v, _, _ := db.Config("version"); v != "4" {
				t.Errorf("version %q", v)
			}
			if _, ok, _ := db.Config("partitions"); ok {
				t.Errorf("partitions still in config")
			}
			if pt, err := db.PartitionTable(); err != nil || pt.PTid != 5 || pt.NumPartitions != 2 {
				t.Errorf("pt %+v %v", pt, err)
			}
			if c.name == "v2" {
				o, err := db.Object(0, proto.NoTid, proto.NoTid)
				if err != nil || string(o.Data) != "old" || o.Serial != 10 {
					t.Errorf("object: %+v %v", o, err)
				}
			}
			// The upgraded database takes new transactions.
			commitTxn(t, db, 20, 20, rec{oid: 2, data: []byte("new")})
		})
	}
}

func TestMigrateRefusesUnfinished(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.sqlite")
	schema := append(slices.Clone(v2Schema[:7]), "INSERT INTO config VALUES ('version', '0')",
		"INSERT INTO tobj VALUES (0, 0, 30, NULL, NULL)")
	execSQL(t, path, schema...)
	if db, err := Open(path, Options{}); err == nil {
		db.Close()
		t.Fatal("opened a database with unfinished transactions to upgrade")
	}
}
