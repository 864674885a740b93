package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
	msqlite "modernc.org/sqlite"
)

// Readers keep a read transaction (a WAL snapshot) open between queries:
// opening one costs SQLite file-lock system calls, half the price of a
// small query. A snapshot is renewed when the writer has committed since
// it was taken (db.gen), so a reader always sees every commit that
// finished before its call began.

// maxReaders bounds the readers at work at once, each with its own
// connection and page cache: more than a few per CPU only adds
// connections, and letting their number follow the callers' would open
// and close connections (cold caches, new statements) under load.
var maxReaders = max(4, 2*runtime.GOMAXPROCS(0))

// Readers holding snapshots keep SQLite from restarting the WAL (it only
// restarts when no reader uses it), which would then grow without end.
// Every checkEvery commits the writer looks at its size; beyond walLimit
// it drains the readers' snapshots and checkpoints the WAL to empty.
const checkEvery = 64

var walLimit int64 = 16 << 20 // a variable for tests

// A reader talks to its connection through database/sql/driver directly:
// database/sql's pooling, context and conversion machinery doubled the
// cost of a load.
type reader struct {
	conn driver.Conn
	st   readStmts
	gen  uint64 // the generation of the open snapshot; 0 when none
	args [4]driver.NamedValue
	dest [8]driver.Value
}

// getReader returns an idle reader (or a new one) with a snapshot at
// least as recent as the last commit.
func (db *DB) getReader() (*reader, error) {
	db.readers.slots <- struct{}{}
	r, err := db.takeReader()
	if err != nil {
		<-db.readers.slots
	}
	return r, err
}

func (db *DB) takeReader() (*reader, error) {
	db.readers.Lock()
	if db.readers.closed {
		db.readers.Unlock()
		return nil, db.errorf("read", errClosed)
	}
	var r *reader
	if n := len(db.readers.idle); n > 0 {
		r = db.readers.idle[n-1]
		db.readers.idle = db.readers.idle[:n-1]
	}
	db.readers.Unlock()
	if r == nil {
		var err error
		if r, err = db.newReader(); err != nil {
			return nil, err
		}
	}
	// Snapshots are kept in WAL mode only: with a rollback journal (a
	// file: URL's journal_mode), an open read transaction would keep the
	// writer from committing, so each query there is its own.
	if g := db.gen.Load(); r.gen != g && db.journalMode == "wal" {
		if err := r.renew(g); err != nil {
			r.close()
			return nil, db.errorf("read", err)
		}
	}
	return r, nil
}

func (db *DB) newReader() (*reader, error) {
	c, err := (&msqlite.Driver{}).Open(db.dsn)
	if err != nil {
		return nil, db.errorf("read", err)
	}
	r := &reader{conn: c}
	if err := r.st.prepare(c); err != nil {
		r.close()
		return nil, db.errorf("prepare", err)
	}
	return r, nil
}

// renew ends the reader's snapshot and opens one for generation g.
func (r *reader) renew(g uint64) error {
	if err := r.end(); err != nil {
		return err
	}
	if err := r.exec(r.st.begin); err != nil {
		return err
	}
	r.gen = g
	return nil
}

// end ends the reader's read transaction, if any.
func (r *reader) end() error {
	if r.gen == 0 {
		return nil
	}
	r.gen = 0
	return r.exec(r.st.commit)
}

func (r *reader) exec(st driver.Stmt) error {
	_, err := st.(driver.StmtExecContext).ExecContext(context.Background(), nil)
	return err
}

func (r *reader) close() {
	r.end()
	r.st.close()
	r.conn.Close()
}

// one runs st with args and leaves its first row in r.dest[:ncol]; false
// when there is none.
func (r *reader) one(st driver.Stmt, ncol int, args ...int64) (bool, error) {
	a := r.args[:len(args)]
	for i, x := range args {
		a[i] = driver.NamedValue{Ordinal: i + 1, Value: x}
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(context.Background(), a)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	switch err := rows.Next(r.dest[:ncol]); err {
	case nil:
		return true, nil
	case io.EOF:
		return false, nil
	default:
		return false, err
	}
}

// each runs the query q (SQL text: statements made of partition lists are
// not worth preparing) and calls fn with every row's ncol values, valid
// until fn returns.
func (r *reader) each(q string, ncol int, args []int64, fn func(v vals) error) error {
	return r.eachStmt(nil, q, ncol, args, fn)
}

// eachStmt is each with the prepared statement st, or q when st is nil.
func (r *reader) eachStmt(st driver.Stmt, q string, ncol int, args []int64, fn func(v vals) error) error {
	named := make([]driver.NamedValue, len(args))
	for i, x := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: x}
	}
	var rows driver.Rows
	var err error
	if st != nil {
		rows, err = st.(driver.StmtQueryContext).QueryContext(context.Background(), named)
	} else {
		rows, err = r.conn.(driver.QueryerContext).QueryContext(context.Background(), q, named)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := r.dest[:ncol]
	for {
		switch err := rows.Next(dest); err {
		case nil:
		case io.EOF:
			return nil
		default:
			return err
		}
		if err := fn(vals{v: dest}); err != nil {
			return err
		}
	}
}

// vals reads the values of a row, keeping the first type error (a
// column holding what NEO never writes there).
type vals struct {
	v   []driver.Value
	err error
}

// int returns column i, 0 when NULL.
func (s *vals) int(i int) int64 {
	switch x := s.v[i].(type) {
	case int64:
		return x
	case nil:
		return 0
	}
	s.fail(i)
	return 0
}

func (s *vals) null(i int) bool { return s.v[i] == nil }

// tid returns column i as a tid, NoTid when NULL.
func (s *vals) tid(i int) zodb.Tid {
	if s.null(i) {
		return proto.NoTid
	}
	return zodb.Tid(s.int(i))
}

// bytes returns column i (a blob, or text as Python 2 may have stored);
// nil for NULL or empty.
func (s *vals) bytes(i int) []byte {
	switch x := s.v[i].(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	case nil:
		return nil
	}
	s.fail(i)
	return nil
}

func (s *vals) fail(i int) {
	if s.err == nil {
		s.err = fmt.Errorf("%w: column %d holds %T", zodb.ErrCorrupt, i, s.v[i])
	}
}

// putReader gives r back after a call that returned err: a reader whose
// query failed for a reason other than the answer's is dropped.
func (db *DB) putReader(r *reader, err error) {
	defer func() { <-db.readers.slots }()
	if err != nil && !isAnswer(err) && !errors.Is(err, zodb.ErrCorrupt) {
		r.close()
		return
	}
	db.readers.Lock()
	if db.readers.closed {
		db.readers.Unlock()
		r.close()
		return
	}
	if db.readers.draining {
		r.end()
	}
	db.readers.idle = append(db.readers.idle, r)
	db.readers.Unlock()
}

// isAnswer tells the errors that are answers, not failures.
func isAnswer(err error) bool {
	return errors.Is(err, backend.ErrOidDoesNotExist) || errors.Is(err, backend.ErrOidNotFound) ||
		errors.Is(err, backend.ErrTidNotFound)
}

// committed is called by the writer after each commit: new readers'
// snapshots must include it, and from time to time the WAL is reset.
// REQUIRES: mu held, no transaction open.
func (db *DB) committed() {
	if db.gen.Add(1)%checkEvery != 0 || db.journalMode != "wal" {
		return
	}
	if st, err := os.Stat(db.path + "-wal"); err != nil || st.Size() < walLimit {
		return
	}
	db.resetWALLocked()
}

// resetWALLocked checkpoints the whole WAL and truncates it: readers give
// up their snapshots meanwhile (idle ones at once, busy ones when done),
// and the checkpoint waits for them (busy_timeout). A checkpoint that
// still finds readers leaves the WAL as it is, for the next try.
// REQUIRES: mu held, no transaction open.
func (db *DB) resetWALLocked() {
	db.readers.Lock()
	db.readers.draining = true
	for _, r := range db.readers.idle {
		r.end()
	}
	db.readers.Unlock()
	var busy, frames, done int
	err := db.mu.w.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done)
	if err != nil || busy != 0 {
		db.log("WAL checkpoint incomplete", err, busy)
	}
	db.readers.Lock()
	db.readers.draining = false
	db.readers.Unlock()
}

// closeReaders closes the idle readers; readers in use close when given
// back.
func (db *DB) closeReaders() {
	db.readers.Lock()
	defer db.readers.Unlock()
	db.readers.closed = true
	for _, r := range db.readers.idle {
		r.close()
	}
	db.readers.idle = nil
}
