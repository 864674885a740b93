package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	_ "github.com/zodbneo/zodbneo/neo/client" // the neo:// driver
	"github.com/zodbneo/zodbneo/zodb"
)

// running is a node command run in-process.
type running struct {
	addr   string
	cancel context.CancelFunc
	status chan int
	stderr *strings.Builder // complete once status was received
}

var listeningRe = regexp.MustCompile(`msg=listening .*addr=(\S+)`)

// startNode runs `neo args...` until cancel, and returns once the node
// logged its listening address (read from the log on stderr).
func startNode(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	root := newRootCommand()
	root.SetContext(ctx)
	pr, pw := io.Pipe()
	root.SetOut(io.Discard)
	root.SetErr(pw)
	r := &running{cancel: cancel, status: make(chan int, 1), stderr: &strings.Builder{}}
	go func() {
		defer pw.Close()
		r.status <- cli.Run(root, args, pw)
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		r.stderr.WriteString(sc.Text() + "\n")
		if m := listeningRe.FindStringSubmatch(sc.Text()); m != nil {
			r.addr = m[1]
			break
		}
	}
	if r.addr == "" {
		t.Fatalf("neo %q: status %d, stderr %q", args, <-r.status, r.stderr)
	}
	go func() { // keep the log flowing
		for sc.Scan() {
		}
		io.Copy(io.Discard, pr)
	}()
	return r
}

// stop cancels the node, as SIGINT does, and checks it exited with 0.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if s := <-r.status; s != 0 {
		t.Errorf("node at %s exited with status %d", r.addr, s)
	}
}

// TestNodeCommands runs `neo master` and `neo storage` (the latter from
// a neo.conf), commits through a client, and stops both as SIGINT does.
func TestNodeCommands(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	m := startNode(t, "master", "-c", "cmdnodes", "-b", "127.0.0.1:0", "-A", "1", "-p", "3", "--loglevel", "info")
	defer m.stop(t)

	conf := filepath.Join(dir, "neo.conf")
	err := os.WriteFile(conf, []byte("[DEFAULT]\ncluster = cmdnodes\nmasters = "+m.addr+
		"\npartitions = 3\n\n[storage]\nbind = 127.0.0.1\ndatabase = "+filepath.Join(dir, "s.db")+"\n"), 0o666)
	if err != nil {
		t.Fatal(err)
	}
	s := startNode(t, "storage", "-f", conf, "--loglevel", "info")
	defer s.stop(t)

	st, err := zodb.Open(ctx, "neo://cmdnodes@"+m.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := st.(zodb.Writer)
	oid, err := w.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("cmd")})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, oid, 0, []byte("node commands")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	tid, err := txn.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, serial, err := st.Load(ctx, zodb.Xid{At: tid, Oid: oid})
	if err != nil || string(data) != "node commands" || serial != tid {
		t.Errorf("load: %q @%v, %v", data, serial, err)
	}
}

// TestStorageReset: --reset erases the database and exits.
func TestStorageReset(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	status, _, errOut := cli.Capture(newRootCommand(), []string{"storage", "-c", "x", "-d", db, "--reset", "-b", "127.0.0.1:0"})
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
}

// TestWrongCluster: a node of another cluster is refused by the master
// and its command fails with the master's reason, on one line.
func TestWrongCluster(t *testing.T) {
	m := startNode(t, "master", "-c", "right", "-b", "127.0.0.1:0", "--loglevel", "info")
	defer m.stop(t)
	for _, args := range [][]string{
		{"storage", "-c", "wrong", "-m", m.addr, "-b", "127.0.0.1", "-d", filepath.Join(t.TempDir(), "s.db")},
		{"admin", "-c", "wrong", "-m", m.addr, "-b", "127.0.0.1:0"},
	} {
		status, _, errOut := cli.Capture(newRootCommand(), append(args, "--loglevel", "error"))
		if status != 1 || !strings.HasPrefix(errOut, "neo: "+args[0]+": ") || !strings.Contains(errOut, "invalid cluster name") ||
			strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: status %d, stderr %q", args[0], status, errOut)
		}
	}
}
