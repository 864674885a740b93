package sqlite

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	notSQLite := filepath.Join(dir, "text")
	os.WriteFile(notSQLite, []byte("this is not a database, just some text"), 0o644)

	otherSQLite := filepath.Join(dir, "other.sqlite")
	execSQL(t, otherSQLite, "CREATE TABLE users (name TEXT)")

	newer := filepath.Join(dir, "newer.sqlite")
	execSQL(t, newer, "CREATE TABLE config (name TEXT NOT NULL PRIMARY KEY, value TEXT) WITHOUT ROWID",
		"INSERT INTO config VALUES ('version', '5')")

	for _, c := range []struct{ path, want string }{
		{notSQLite, "not an SQLite database"},
		{":memory:", "in-memory databases are not supported"},
		{"", "a database file is required"},
		{otherSQLite, "not a NEO storage database"},
		{newer, "version 5 is newer than 4"},
		{"file:" + newer + "?foo=1", "unsupported pragma: foo"},
		{"file:" + newer + "?cksumvfs=1", "cksumvfs is not supported"},
		{"file:" + newer + "?synchronous=1%20DROP", "invalid synchronous value"},
	} {
		db, err := Open(c.path, Options{})
		if err == nil {
			db.Close()
			t.Errorf("%s: opened", c.path)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sqlite: ") {
			t.Errorf("%s: %v, want %q", c.path, err, c.want)
		}
	}
	// The refused files are left as they were.
	if b, _ := os.ReadFile(notSQLite); string(b) != "this is not a database, just some text" {
		t.Errorf("text file changed: %q", b)
	}
	for _, path := range []string{otherSQLite, newer} {
		head := make([]byte, 20)
		if f, err := os.Open(path); err == nil {
			f.Read(head)
			f.Close()
		}
		if head[18] != 1 || head[19] != 1 {
			t.Errorf("%s: journal mode changed (%d %d)", path, head[18], head[19])
		}
		if _, err := os.Stat(path + "-wal"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: WAL left: %v", path, err)
		}
	}
}

func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLocked: a database in use by a storage (ours or NEO/py's: same
// abstract socket) can not be opened by another.
func TestLocked(t *testing.T) {
	db, path := newTestDB(t, 1, Options{})
	if db2, err := Open(path, Options{}); err == nil {
		db2.Close()
		t.Fatal("opened twice")
	} else if !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("second open: %v", err)
	}
	db.Close()
	db2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	db2.Close()
}

func TestFileURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.sqlite")
	db, err := Open("file:"+path+"?synchronous=OFF&journal_mode=MEMORY&cache_size=-1000", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetName("u"); err != nil {
		t.Fatal(err)
	}
	var mode string
	db.mu.w.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode)
	if mode != "memory" {
		t.Errorf("journal mode %q", mode)
	}
}

func TestReset(t *testing.T) {
	db, path := newTestDB(t, 1, Options{})
	commitTxn(t, db, 1, 1, rec{oid: 0, data: []byte("x")})
	db.Close()
	db, err := Open(path, Options{Reset: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.Name(); n != "" {
		t.Errorf("name after reset: %q", n)
	}
	if pt, _ := db.PartitionTable(); len(pt.Cells) != 0 {
		t.Errorf("pt after reset: %v", pt)
	}
	if n := countRows(t, db, "obj"); n != 0 {
		t.Errorf("obj rows after reset: %d", n)
	}
	if v, _, _ := db.Config("version"); v != "4" {
		t.Errorf("version after reset: %q", v)
	}
}

// TestOddPath: URI characters in the file name are the file name's.
func TestOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir#1 %41?x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "neo db.sqlite")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetName("odd"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files in %s: %v", dir, entries)
	}
}

// TestCorruptFile: a damaged database gives errors naming the file, at
// open or at the reads that meet the damage, never a panic.
func TestCorruptFile(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(traceDir, "s2/s1.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"truncated", orig[:len(orig)/2]},
		{"header only", orig[:100]},
		{"zeroed pages", append(append([]byte{}, orig[:4096]...), make([]byte, len(orig)-4096)...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.sqlite")
			os.WriteFile(path, c.data, 0o644)
			db, err := Open(path, Options{})
			if err != nil {
				if !strings.Contains(err.Error(), path) || !errors.Is(err, zodb.ErrCorrupt) {
					t.Errorf("error does not name the file or corruption: %v", err)
				}
				return
			}
			defer db.Close()
			for oid := zodb.Oid(0); oid < 3; oid++ {
				if _, err := db.Object(oid, proto.NoTid, proto.NoTid); err != nil && !strings.Contains(err.Error(), path) &&
					!errors.Is(err, backend.ErrOidDoesNotExist) {
					t.Errorf("load %s: %v", oid, err)
				}
			}
			db.LastIDs()
			db.PartitionTable()
		})
	}
}

// TestCorruptRows: rows NEO never writes (an oids column not a multiple
// of 8, a short hash, text in an integer column) are ErrCorrupt errors
// naming the file.
func TestCorruptRows(t *testing.T) {
	db, path := newTestDB(t, 1, Options{})
	commitTxn(t, db, 1, 1, rec{oid: 0, data: []byte("a")})
	commitTxn(t, db, 2, 2, rec{oid: 1, data: []byte("b")})
	commitTxn(t, db, 3, 3, rec{oid: 2, data: []byte("c")})
	db.Close()
	execSQL(t, path,
		"UPDATE trans SET oids=X'010203' WHERE tid=1",
		"UPDATE data SET hash=X'01' WHERE id=1",
		"UPDATE obj SET value_tid='not a tid' WHERE oid=2")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err1 := db.Transaction(1, false)
	_, err2 := db.Object(1, proto.NoTid, proto.NoTid)
	_, err3 := db.Object(2, proto.NoTid, proto.NoTid)
	for i, err := range []error{err1, err2, err3} {
		if !errors.Is(err, zodb.ErrCorrupt) || !strings.Contains(err.Error(), path) {
			t.Errorf("%d: %v", i, err)
		}
	}
	// The reader that met them still serves the sound rows.
	if o, err := db.Object(0, proto.NoTid, proto.NoTid); err != nil || string(o.Data) != "a" {
		t.Errorf("sound row: %+v %v", o, err)
	}
}
