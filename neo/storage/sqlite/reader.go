package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"runtime"

	"github.com/zodbneo/zodbneo/neo/storage/backend"
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

type reader struct {
	conn *sql.Conn
	st   readStmts
	gen  uint64 // the generation of the open snapshot; 0 when none
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
	if g := db.gen.Load(); r.gen != g {
		if err := r.renew(g); err != nil {
			r.close()
			return nil, db.errorf("read", err)
		}
	}
	return r, nil
}

func (db *DB) newReader() (*reader, error) {
	ctx := context.Background()
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, db.errorf("read", err)
	}
	r := &reader{conn: c}
	if err := r.st.prepare(ctx, c); err != nil {
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
	if _, err := r.st.begin.Exec(); err != nil {
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
	_, err := r.st.commit.Exec()
	return err
}

func (r *reader) close() {
	r.end()
	r.st.close()
	r.conn.Close()
}

// putReader gives r back after a call that returned err: a reader whose
// query failed for a reason other than the answer's is dropped.
func (db *DB) putReader(r *reader, err error) {
	defer func() { <-db.readers.slots }()
	if err != nil && !errors.Is(err, sql.ErrNoRows) && !isAnswer(err) {
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
