package fs1

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// logRecorder is a slog handler that keeps "LEVEL message" lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, rec.Level.String()+" "+rec.Message)
	return nil
}

func (r *logRecorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// openRW opens path for writing without syncing, its warnings recorded.
func openRW(t testing.TB, path string) (*FileStorage, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	fs, err := OpenWith(ctx, path, &Options{Sync: SyncNone, Logger: slog.New(rec)})
	if err != nil {
		t.Fatal(err)
	}
	return fs, rec
}

func sha1Hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// TestTornReadWrite opens the torn files for writing and checks what
// python-behaviour.txt says Python's read-write open does: the file cut at
// the end of the last committed transaction, the bytes cut saved to
// data.fs.tr0 except for a cut header, the same warnings.
func TestTornReadWrite(t *testing.T) {
	cases := []struct {
		file     string
		size     int64
		sha1     string
		side     string // sha1 of data.fs.tr0, "" for none
		sideLen  int
		head     string // the last committed transaction
		cutTid   string // the tid of the transaction cut off
		warnings string
	}{
		{"truncated.fs", 29007, "deb27f85eef821bbfb06a2ba76a11d12147494c8", "4b8c35abdb712059d05630226eea28516d94c338", 366,
			"03f5946aa8409c77", "03f5946af81d3dee",
			"WARN P truncated, possibly due to damaged records at 29007\nWARN Writing truncated data from P to P.tr0"},
		{"truncated-hdr.fs", 29007, "deb27f85eef821bbfb06a2ba76a11d12147494c8", "", 0,
			"03f5946aa8409c77", "03f5946aa8409c77",
			"WARN P truncated at 29007"},
		{"checkpoint.fs", 29740, "f5cc783fd6625c4587508fe22e20fefb7b3eaf24", "c696123943a0cc13c7f7280082b6f0ebb8a6b2fb", 568,
			"03f5946af81d3dee", "03f5994008888888",
			"WARN P truncated, possibly due to damaged records at 29740\nWARN Writing truncated data from P to P.tr0"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			p := copyFile(t, "../testdata/fs1/truncated/"+c.file, t.TempDir(), "data.fs")
			fs, rec := openRW(t, p)
			if got, want := rec.text(), strings.ReplaceAll(c.warnings, "P", p); got != want {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
			}
			checkSameHeadSize(t, fs, c.head, c.size)
			if fs.Tail() != nil {
				t.Errorf("tail %+v after the cut", fs.Tail())
			}
			// New tids follow even the transaction cut off.
			var prev zodb.Tid
			fs.w.newTid = func(p zodb.Tid) zodb.Tid { prev = p; return p + 1 }
			commitOne(t, fs, 0x42, []byte("after the cut"))
			if prev.String() != c.cutTid {
				t.Errorf("new tid after %s, want after %s", prev, c.cutTid)
			}
			if err := fs.Close(); err != nil {
				t.Fatal(err)
			}
			b := mustRead(t, p)
			if got := sha1Hex(b[:c.size]); got != c.sha1 {
				t.Errorf("file cut to %s, want sha1 %s", got, c.sha1)
			}
			side, err := os.ReadFile(p + ".tr0")
			switch {
			case c.side == "" && !errors.Is(err, os.ErrNotExist):
				t.Errorf("side file: %v", err)
			case c.side != "" && (err != nil || len(side) != c.sideLen || sha1Hex(side) != c.side):
				t.Errorf("side file: %d bytes, %v", len(side), err)
			}
		})
	}
}

// TestTornSideFiles cuts twice: the second cut goes to data.fs.tr1.
func TestTornSideFiles(t *testing.T) {
	dir := t.TempDir()
	p := copyFile(t, "../testdata/fs1/truncated/checkpoint.fs", dir, "data.fs")
	tail := mustRead(t, p)[29740:]
	for i := range 2 {
		if i == 1 {
			appendFile(t, p, tail)
		}
		fs, rec := openRW(t, p)
		if want := fmt.Sprintf("to %s.tr%d", p, i); !strings.Contains(rec.text(), want) {
			t.Errorf("warnings %q, want %q", rec.text(), want)
		}
		fs.Close()
		if side := mustRead(t, fmt.Sprintf("%s.tr%d", p, i)); string(side) != string(tail) {
			t.Errorf("tr%d holds %d bytes, want the %d cut", i, len(side), len(tail))
		}
	}
	if _, err := os.Stat(p + ".tr2"); err == nil {
		t.Error("tr2 written")
	}
}

// TestCreate opens a missing and an empty file for writing: both get the
// magic, and an index once closed after a commit.
func TestCreate(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.fs")
	if err := os.WriteFile(empty, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "new.fs"), empty} {
		fs, _ := openRW(t, p)
		if fs.Head() != 0 || fs.Size() != FileHeaderLen {
			t.Errorf("%s: head %s size %d", p, fs.Head(), fs.Size())
		}
		if b := mustRead(t, p); string(b) != Magic30 {
			t.Errorf("%s: %q, want the magic", p, b)
		}
		tid := commitOne(t, fs, 0, []byte("root"))
		if err := fs.Close(); err != nil {
			t.Fatal(err)
		}
		ro := openRO(t, p)
		if ro.Head() != tid || ro.Size() != int64(len(mustRead(t, p))) {
			t.Errorf("%s reopened: head %s, want %s", p, ro.Head(), tid)
		}
		ro.Close()
		if _, err := os.Stat(p + ".index"); err != nil {
			t.Errorf("no index: %v", err)
		}
	}
	if _, err := Open(ctx, filepath.Join(dir, "none.fs"), &zodb.Options{ReadOnly: true}); err == nil {
		t.Error("read-only open created a file")
	}
}

// commitOne stores data as a new revision of oid, based on its current
// one, and returns the tid.
func commitOne(t testing.TB, w zodb.Writer, oid zodb.Oid, data []byte) zodb.Tid {
	t.Helper()
	_, serial, err := w.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
	if err != nil && !zodb.IsNoData(err) {
		t.Fatal(err)
	}
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("test")})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, oid, serial, data); err != nil {
		t.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	tid, err := txn.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tid
}
