package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	_ "github.com/zodbneo/zodbneo/neo/client" // the neo:// driver
	"github.com/zodbneo/zodbneo/zodb"
)

// TestSimple runs `neo simple` in-process: it prints the URL once the
// cluster runs, a client commits through it, and cancelling the
// command's context (as SIGINT does) stops it with status 0.
func TestSimple(t *testing.T) {
	ctx := t.Context()
	url, _, cancel, status, stderr := startSimple(t, "--cluster", "cmdtest", "--partitions", "2")
	defer cancel()
	if !strings.HasPrefix(url, "neo://cmdtest@127.0.0.1:") {
		t.Errorf("URL %q", url)
	}

	st, err := zodb.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := st.(zodb.Writer)
	oid, err := w.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("cmd")})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, oid, 0, []byte("data")); err != nil {
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
	if err != nil || string(data) != "data" || serial != tid {
		t.Errorf("load: %q @%v, %v", data, serial, err)
	}
	st.Close()

	cancel()
	if s := <-status; s != 0 {
		t.Errorf("status %d, stderr %q", s, stderr.String())
	}
}

// syncBuilder is a strings.Builder the nodes' loggers and the command
// may write at once, as they do to os.Stderr.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuilder) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuilder) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startSimple runs `neo simple args...` in-process and returns, once it
// printed them, the URL and the admin address; cancel stops the command
// as SIGINT does, status gives its exit status, and stderr is complete
// once status was received.
func startSimple(t *testing.T, args ...string) (url, admin string, cancel context.CancelFunc, status chan int, stderr *syncBuilder) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	root := newRootCommand()
	root.SetContext(ctx)
	pr, pw := io.Pipe()
	root.SetOut(pw)
	stderr = &syncBuilder{}
	root.SetErr(stderr)
	status = make(chan int, 1)
	go func() {
		defer pw.Close()
		status <- cli.Run(root, append([]string{"simple"}, args...), stderr)
	}()
	out := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 2 && out.Scan() {
		lines = append(lines, out.Text())
	}
	if len(lines) < 2 {
		s := <-status // the command ended: stderr is ours to read
		cancel()
		t.Fatalf("neo simple printed %q; status %d, stderr %q", lines, s, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	admin, ok := strings.CutPrefix(lines[1], "admin ")
	if !ok {
		t.Errorf("second line %q", lines[1])
	}
	return lines[0], admin, cancel, status, stderr
}

// TestSimpleCtl drives a `neo simple` cluster with `neo ctl`, and stops
// it with `neo ctl set cluster STOPPING`: the command then exits on its
// own.
func TestSimpleCtl(t *testing.T) {
	_, admin, cancel, status, stderr := startSimple(t, "--storages", "2", "--partitions", "3")
	defer cancel()
	ctl := func(args ...string) string {
		t.Helper()
		s, out, errOut := cli.Capture(newRootCommand(), append([]string{"ctl", "-a", admin}, args...))
		if s != 0 {
			t.Fatalf("neo ctl %q: status %d, %s", args, s, errOut)
		}
		return out
	}
	if out := ctl("print", "cluster"); out != "RUNNING\n" {
		t.Errorf("print cluster: %q", out)
	}
	if out := ctl("print", "node", "storage"); strings.Count(out, "| STORAGE | 127.0.0.1:") != 2 {
		t.Errorf("print node storage: %q", out)
	}
	if out := ctl("print", "pt"); !strings.Contains(out, "# ptid: ") || !strings.Contains(out, "S1 R U.U") {
		t.Errorf("print pt: %q", out)
	}
	// The master's ACK reaches neoctl although the master closes every
	// connection right after it.
	s, out, errOut := cli.Capture(newRootCommand(), []string{"ctl", "-a", admin, "set", "cluster", "STOPPING"})
	if s != 0 || out != "Cluster state changed\n" {
		t.Errorf("set cluster STOPPING: status %d, %q, %q", s, out, errOut)
	}
	if s := <-status; s != 0 {
		t.Errorf("status %d after STOPPING, stderr %q", s, stderr.String())
	}
}
