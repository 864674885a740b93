package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
	msqlite "modernc.org/sqlite" // and database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Options are the storage node's database options (neo storage --reset,
// --dedup).
type Options struct {
	// Reset erases every table before use (NEO/py's setup(reset=True)).
	Reset bool
	// Dedup stores identical data (same checksum and compression) once:
	// a unique index on data(hash, compression), as NEO/py's --dedup.
	Dedup bool
	// Logger receives what goes wrong outside any call's error (a WAL
	// checkpoint that could not complete); nil is slog.Default().
	Logger *slog.Logger
}

// DB is a NEO storage database in one SQLite file. It implements
// backend.Backend: writers are serialised by the caller (and by mu),
// readers run concurrently on their own connections.
type DB struct {
	path   string // the file, for errors and the lock
	dsn    string // the driver's name for it, for readers' connections
	logger *slog.Logger
	sql    *sql.DB
	lock   io.Closer // the abstract socket excluding other storages; nil for no file

	// gen counts the writer's commits: a reader whose snapshot is older
	// takes a new one.
	gen     atomic.Uint64
	readers struct {
		slots chan struct{} // one per reader at work (maxReaders)
		sync.Mutex
		idle     []*reader
		closed   bool
		draining bool // a WAL reset waits: snapshots end when given back
	}
	journalMode string // as SQLite reports it: "wal", "delete", ...
	fileJournal string // the file's mode before Open switched it to WAL

	layout atomic.Pointer[layout] // partitions, own nid, readable partitions

	// userSync is the synchronous pragma given in a file: URL: then every
	// commit uses it.
	userSync string
	// ownSync: in WAL mode without userSync, commits run at
	// synchronous=NORMAL (no fsync) and the durable ones fsync the WAL
	// themselves.
	ownSync bool

	mu struct {
		sync.Mutex
		w      *sql.Conn // the writer connection
		ws     writeStmts
		inTx   bool
		closed bool
		wal    *os.File // the WAL, opened to fsync it (ownSync)
		// held counts the references to data rows not yet in obj: data
		// stored for transactions not unlocked (NEO/py's
		// _uncommitted_data), so that pruning never drops them.
		held map[int64]int
		// undoHeld are the references StoreTransaction took for undo
		// records (their data is an older revision's), per ttid: the
		// caller does not know them, so AbortTransaction releases them.
		undoHeld map[zodb.Tid][]int64
		// nextData is the next data id per partition (NEO/py's
		// _data_last_ids), filled on demand and forgotten when the number
		// of partitions changes.
		nextData map[uint32]int64
	}
}

var _ backend.Backend = (*DB)(nil)

// syncLevel is the durability of a commit point: full for the commits
// that must survive a power cut, normal for those whose loss recovery
// repairs (or that may wait for the next full one).
type syncLevel int

const (
	syncNormal syncLevel = iota + 1
	syncFull
)

// errClosed is returned by every method after Close.
var errClosed = errors.New("database closed")

// Open opens the NEO storage database at path, creating it when missing.
// path is a file name, or, as NEO/py's -d for SQLite, a URL
// "file:PATH?pragma=value&..." with the pragmas cache_size, journal_mode
// and synchronous. It fails with a clear error on a file that is not an
// SQLite database, an SQLite database that is not NEO's, a database of a
// newer NEO version, or a database another storage has open.
func Open(path string, opt Options) (*DB, error) {
	file, pragmas, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	// NEO/py accepts SQLite's in-memory databases; here readers have
	// connections of their own, which such a database can not share.
	if file == "" || file == ":memory:" {
		return nil, fmt.Errorf("sqlite: %q: a database file is required (in-memory databases are not supported)", path)
	}
	if err := checkMagic(file); err != nil {
		return nil, err
	}
	db := &DB{path: file, userSync: pragmas["synchronous"], logger: opt.Logger}
	if db.logger == nil {
		db.logger = slog.Default()
	}
	db.gen.Store(1)
	db.readers.slots = make(chan struct{}, maxReaders)
	if err := db.open(pragmas, opt); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// parsePath splits NEO/py's "file:" form into the file and its pragmas.
func parsePath(path string) (string, map[string]string, error) {
	pragmas := map[string]string{}
	if !strings.HasPrefix(path, "file:") {
		return expandUser(path), pragmas, nil
	}
	u, err := url.Parse(path)
	if err != nil {
		return "", nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	for k, v := range q {
		switch {
		case len(v) != 1:
			return "", nil, fmt.Errorf("sqlite: %s: duplicate pragma: %s", path, k)
		case k == "cksumvfs":
			if v[0] != "0" {
				return "", nil, fmt.Errorf("sqlite: %s: cksumvfs is not supported", path)
			}
		case k == "cache_size" || k == "journal_mode" || k == "synchronous":
			if !validPragmaValue(v[0]) {
				return "", nil, fmt.Errorf("sqlite: %s: invalid %s value %q", path, k, v[0])
			}
			pragmas[k] = v[0]
		default:
			return "", nil, fmt.Errorf("sqlite: %s: unsupported pragma: %s", path, k)
		}
	}
	file := u.Path
	if file == "" {
		file = u.Opaque
	}
	return expandUser(file), pragmas, nil
}

// validPragmaValue keeps pragma values to words and numbers: they are
// pasted into SQL text.
func validPragmaValue(v string) bool {
	if v == "" {
		return false
	}
	for _, c := range v {
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func expandUser(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// sqliteMagic starts every SQLite 3 database file.
const sqliteMagic = "SQLite format 3\x00"

// checkMagic refuses a non-empty file that is not an SQLite database
// before SQLite reports it as the less helpful "file is not a database".
func checkMagic(file string) error {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer f.Close()
	var head [len(sqliteMagic)]byte
	n, err := io.ReadFull(f, head[:])
	if n == 0 {
		return nil // empty: a new database
	}
	if err != nil || string(head[:]) != sqliteMagic {
		return fmt.Errorf("sqlite: %s: not an SQLite database", file)
	}
	return nil
}

// dsn is the driver's name for file: every connection waits for locks
// rather than failing at once (NEO/py retries commits the same way).
func dsn(file string, pragmas map[string]string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", fmt.Errorf("sqlite: %s: %w", file, err)
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	// Statement journals (INSERT ... SELECT of an unlock, multi-row
	// deletes) stay in memory: NEO/py warns they must never become temporary
	// files, which would cost a file and its writes per statement.
	q.Add("_pragma", "temp_store=MEMORY")
	if v, ok := pragmas["cache_size"]; ok {
		q.Add("_pragma", "cache_size="+v)
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String(), nil
}

func (db *DB) open(pragmas map[string]string, opt Options) error {
	name, err := dsn(db.path, pragmas)
	if err != nil {
		return err
	}
	db.dsn = name
	db.sql, err = sql.Open("sqlite", name)
	if err != nil {
		return db.errorf("open", err)
	}
	ctx := context.Background()
	w, err := db.sql.Conn(ctx)
	if err != nil {
		return db.errorf("open", err)
	}
	db.mu.w = w
	db.mu.held = map[int64]int{}
	db.mu.undoHeld = map[zodb.Tid][]int64{}
	db.mu.nextData = map[uint32]int64{}
	if db.lock, err = lockFile(db.path); err != nil {
		return err
	}
	journal := pragmas["journal_mode"]
	if journal == "" {
		// WAL for readers beside the writer; the file's own mode (NEO/py
		// leaves SQLite's default, DELETE) is put back by Close.
		if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&db.fileJournal); err != nil {
			return db.errorf("journal mode", err)
		}
		journal = "WAL"
	}
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode="+journal).Scan(&db.journalMode); err != nil {
		return db.errorf("journal mode", err)
	}
	sync := db.userSync
	if sync == "" {
		// SQLite's default, and so NEO/py's, is FULL: every commit is
		// synced. In WAL mode only the durable commit points are.
		sync = "FULL"
		if db.journalMode == "wal" {
			sync, db.ownSync = "NORMAL", true
		}
	}
	if _, err := w.ExecContext(ctx, "PRAGMA synchronous="+sync); err != nil {
		return db.errorf("synchronous", err)
	}
	if err := db.setup(ctx, opt); err != nil {
		return err
	}
	if err := db.prepare(ctx); err != nil {
		return err
	}
	return db.loadState()
}

// Close closes the database (committing what is pending, as NEO/py) and
// releases its lock. It is safe to call more than once.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.mu.closed {
		return nil
	}
	db.mu.closed = true
	var errs []error
	if db.mu.inTx {
		errs = append(errs, db.commitLocked(syncFull))
	}
	db.closeReaders()
	db.mu.ws.close()
	if db.mu.wal != nil {
		db.mu.wal.Close()
	}
	if db.mu.w != nil {
		errs = append(errs, db.mu.w.Close())
	}
	if db.sql != nil {
		errs = append(errs, db.sql.Close())
	}
	db.restoreJournal()
	if db.lock != nil {
		errs = append(errs, db.lock.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return db.errorf("close", err)
	}
	return nil
}

// restoreJournal puts back the journal mode the file had, so that it
// leaves us as NEO/py would find it: one file, SQLite's default mode
// (which also lets read-only tools open it without writing a -shm file).
// It takes the last connection: with a reader still at work, the file
// stays in WAL mode, which NEO/py opens as well.
func (db *DB) restoreJournal() {
	if db.fileJournal == "" || db.fileJournal == "wal" || db.journalMode != "wal" {
		return
	}
	// Not waiting for a straggler: a failure only leaves WAL mode.
	c, err := (&msqlite.Driver{}).Open(strings.Replace(db.dsn, "_busy_timeout=10000", "_busy_timeout=0", 1))
	if err == nil {
		_, err = c.(driver.ExecerContext).ExecContext(context.Background(), "PRAGMA journal_mode="+db.fileJournal, nil)
		c.Close()
	}
	if err != nil {
		db.log("journal mode not restored", err, 0)
	}
}

// errorf wraps err with the package, the file and what was being done; a
// damaged file is also zodb.ErrCorrupt.
func (db *DB) errorf(op string, err error) error {
	var serr *msqlite.Error
	if errors.As(err, &serr) && !errors.Is(err, zodb.ErrCorrupt) {
		switch serr.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("sqlite: %s: %s: %w: %w", db.path, op, zodb.ErrCorrupt, err)
		}
	}
	return fmt.Errorf("sqlite: %s: %s: %w", db.path, op, err)
}

// writer returns the writer connection with mu held, or errClosed.
// REQUIRES: mu held.
func (db *DB) checkOpenLocked() error {
	if db.mu.closed {
		return db.errorf("use", errClosed)
	}
	return nil
}

// beginLocked opens the writer's SQL transaction if none is open. level
// says the durability the caller's commit point will ask (for reading:
// every transaction is begun the same way).
// REQUIRES: mu held.
func (db *DB) beginLocked(level syncLevel) error {
	if err := db.checkOpenLocked(); err != nil {
		return err
	}
	if db.mu.inTx {
		return nil
	}
	if _, err := db.mu.ws.begin.Exec(); err != nil {
		return db.errorf("begin", err)
	}
	db.mu.inTx = true
	return nil
}

// commitLocked commits the writer's transaction. With level full the
// commit is on disk when it returns.
// REQUIRES: mu held.
func (db *DB) commitLocked(level syncLevel) error {
	if !db.mu.inTx {
		return nil
	}
	db.mu.inTx = false
	if _, err := db.mu.ws.commit.Exec(); err != nil {
		// SQLite rolls back on a failed COMMIT only for some errors; make
		// sure nothing half-done stays open.
		db.mu.ws.rollback.Exec()
		return db.errorf("commit", err)
	}
	db.committed()
	if level == syncFull && db.ownSync {
		return db.syncWALLocked()
	}
	return nil
}

// syncWALLocked makes every commit so far durable: in WAL mode a commit
// is frames appended to the WAL, and one fsync of it covers them all
// (SQLite syncs the WAL itself before any checkpoint copies frames into
// the database). The file is checked to still be the WAL SQLite writes:
// an fsync of a replaced file would silently lose durability.
// REQUIRES: mu held.
func (db *DB) syncWALLocked() error {
	name := db.path + "-wal"
	st, err := os.Stat(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil // nothing written since the last checkpoint closed it
	}
	if err != nil {
		return db.errorf("sync", err)
	}
	if f := db.mu.wal; f != nil {
		if fst, err := f.Stat(); err != nil || !os.SameFile(st, fst) {
			f.Close()
			db.mu.wal = nil
		}
	}
	if db.mu.wal == nil {
		f, err := os.Open(name)
		if err != nil {
			return db.errorf("sync", err)
		}
		// A new WAL's directory entry must be durable too.
		if err := syncDir(filepath.Dir(name)); err != nil {
			f.Close()
			return db.errorf("sync", err)
		}
		db.mu.wal = f
	}
	if err := db.mu.wal.Sync(); err != nil {
		return db.errorf("sync", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Commit makes the pending writes durable (NEO/py's commit()); what
// UnlockTransaction and AbortTransaction committed is not synced again.
func (db *DB) Commit() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkOpenLocked(); err != nil {
		return err
	}
	return db.commitLocked(syncFull)
}

// log reports a trouble that is not an error of the call at hand.
func (db *DB) log(msg string, err error, busy int) {
	db.logger.Warn("sqlite: "+msg, "db", db.path, "err", err, "busy", busy)
}
