package simple

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/zodbneo/zodbneo/neo/client" // the neo:// driver
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

// testLogger logs warnings and errors through t.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// commit stores data as a new object through a new client of c and
// returns its oid and serial.
func commit(t *testing.T, ctx context.Context, url string, data []byte) (zodb.Oid, zodb.Tid) {
	t.Helper()
	st, err := zodb.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := st.(zodb.Writer)
	oid, err := w.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("simple"), Description: []byte("test")})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, oid, 0, data); err != nil {
		t.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	tid, err := txn.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return oid, tid
}

// load reads oid's current revision through a new client.
func load(t *testing.T, ctx context.Context, url string, oid zodb.Oid) ([]byte, zodb.Tid) {
	t.Helper()
	st, err := zodb.Open(ctx, url, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	head, err := st.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, serial, err := st.Load(ctx, zodb.Xid{At: head, Oid: oid})
	if err != nil {
		t.Fatal(err)
	}
	return data, serial
}

// TestCluster starts a cluster, commits through the client, restarts the
// master and a storage, and checks the commit survived each restart.
func TestCluster(t *testing.T) {
	ctx := t.Context()
	c, err := Start(ctx, Options{Partitions: 3, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir()
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temporary dir %s left: %v", dir, err)
		}
	}()
	if want := "neo://simple@" + c.MasterAddr(); c.URL() != want {
		t.Errorf("URL %q, want %q", c.URL(), want)
	}
	oid, tid := commit(t, ctx, c.URL(), []byte("hello"))

	if err := c.RestartMaster(ctx); err != nil {
		t.Fatal(err)
	}
	if data, serial := load(t, ctx, c.URL(), oid); string(data) != "hello" || serial != tid {
		t.Errorf("after master restart: %q @%v, want hello @%v", data, serial, tid)
	}

	if err := c.StopStorage(0); err != nil {
		t.Fatal(err)
	}
	if err := c.StopStorage(0); err == nil {
		t.Error("stopping a stopped storage: no error")
	}
	if err := c.StartStorage(0); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitRunning(ctx); err != nil {
		t.Fatal(err)
	}
	if data, serial := load(t, ctx, c.URL(), oid); string(data) != "hello" || serial != tid {
		t.Errorf("after storage restart: %q @%v, want hello @%v", data, serial, tid)
	}
	if err := c.StartStorage(3); err == nil {
		t.Error("storage 3 of 1: no error")
	}
}

// TestDirKept starts a cluster in a given directory twice: the second
// finds the first one's data.
func TestDirKept(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "work")
	opt := Options{Dir: dir, Cluster: "kept", Storages: 2, Replicas: 1, Partitions: 2, Logger: testLogger(t)}
	c, err := Start(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	oid, tid := commit(t, ctx, c.URL(), []byte("kept"))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"storage0.db", "storage1.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	opt.MasterBind = c.MasterAddr() // the same URL again
	url := c.URL()
	c, err = Start(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.URL() != url {
		t.Errorf("URL %q, want %q again", c.URL(), url)
	}
	if data, serial := load(t, ctx, c.URL(), oid); string(data) != "kept" || serial != tid {
		t.Errorf("second start: %q @%v, want kept @%v", data, serial, tid)
	}
}

// TestImport copies a FileStorage in and compares the dumps.
func TestImport(t *testing.T) {
	ctx := t.Context()
	c, err := Start(ctx, Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const src = "../../testdata/fs1/small/small.fs"
	var calls int
	st, err := c.Import(ctx, src, func(done, total int64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied == 0 || calls == 0 {
		t.Errorf("stats %+v, %d progress calls", st, calls)
	}
	dump := func(url string) []byte {
		s, err := zodb.Open(ctx, url, &zodb.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var b bytes.Buffer
		if err := tools.Dump(ctx, &b, s, 0, zodb.TidMax, nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if a, b := dump(src), dump(c.URL()); !bytes.Equal(a, b) {
		t.Errorf("dump of the cluster differs from the file's (%d vs %d bytes)", len(b), len(a))
	}
}

func TestOptionErrors(t *testing.T) {
	for _, opt := range []Options{
		{Storages: -1},
		{Storages: 2, Replicas: 2},
		{Partitions: -3},
	} {
		if c, err := Start(t.Context(), opt); err == nil {
			c.Close()
			t.Errorf("%+v: no error", opt)
		}
	}
}

// TestStartCancelled: a start given up (ctx done before RUNNING) stops
// what it started and removes its temporary directory.
func TestStartCancelled(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where Start makes its work directory
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c, err := Start(ctx, Options{Logger: testLogger(t)})
	if err == nil {
		c.Close()
		t.Fatal("no error")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want one wrapping context.Canceled", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary directory: %v", left)
	}
}

// TestOtherClusterDir: storages whose databases belong to another
// cluster make Start fail with the storage's reason.
func TestOtherClusterDir(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c, err := Start(ctx, Options{Dir: dir, Cluster: "one", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c, err = Start(ctx, Options{Dir: dir, Cluster: "two", Logger: testLogger(t)})
	if err == nil {
		c.Close()
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), `cluster "one"`) {
		t.Errorf("error %v does not name the databases' cluster", err)
	}
}
