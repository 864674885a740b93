package admin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// node is anything with the Node API's Run.
type node interface{ Run(context.Context) error }

// start runs n until the test ends, and fails the test if Run fails.
func start(t *testing.T, name string, n node) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	var err error
	stopped := false
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			err = <-done
		}
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("%s: Run: %v", name, err)
		}
	})
	return stop
}

func newMaster(t *testing.T, name string) *master.Master {
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: name, Bind: "127.0.0.1:0", Logger: quiet}, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newAdmin(t *testing.T, name, masterAddr string) *Admin {
	a, err := New(Config{Config: cluster.Config{Cluster: name, Masters: []string{masterAddr}, Bind: "127.0.0.1:0", Logger: quiet}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newStorage(t *testing.T, name, masterAddr string) *storage.Storage {
	s, err := storage.New(storage.Config{Config: cluster.Config{Cluster: name, Masters: []string{masterAddr}, Bind: "127.0.0.1:0", Logger: quiet},
		Adapter: "SQLite", Database: filepath.Join(t.TempDir(), "s.sqlite")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs a neoctl command against the admin at addr.
func run(t *testing.T, addr string, args ...string) (string, error) {
	t.Helper()
	ctx := context.Background()
	c, err := ctl.Dial(ctx, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return ctl.Run(ctx, c, args)
}

func mustRun(t *testing.T, addr string, args ...string) string {
	t.Helper()
	out, err := run(t, addr, args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return out
}

// waitFor runs the command until it prints want (the cluster reacts
// asynchronously); it gives up after a long while, a hung cluster.
func waitFor(t *testing.T, addr, want string, args ...string) {
	t.Helper()
	var out string
	var err error
	for i := 0; i < 1000; i++ {
		if out, err = run(t, addr, args...); err == nil && out == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: got %q, %v; want %q", strings.Join(args, " "), out, err, want)
}

func TestAdminWithCluster(t *testing.T) {
	m := newMaster(t, "tadm")
	start(t, "master", m)
	a := newAdmin(t, "tadm", m.Addr())
	stopAdmin := start(t, "admin", a)
	s := newStorage(t, "tadm", m.Addr())
	start(t, "storage", s)

	waitFor(t, a.Addr(), "RECOVERING\n", "print", "cluster")
	waitNode(t, a.Addr(), "S1", "PENDING")
	if out := mustRun(t, a.Addr(), "print", "primary"); out != "M1\n" {
		t.Errorf("print primary: %q", out)
	}
	if out := mustRun(t, a.Addr(), "print", "pt"); out != "# ptid: None, replicas: 0\n\n" {
		t.Errorf("print pt before start: %q", out)
	}
	if out := mustRun(t, a.Addr(), "print", "summary"); out != "# {\"problem\": [null]}\nRECOVERING\n" {
		t.Errorf("print summary: %q", out)
	}
	// The master refuses while the storage is still identifying.
	waitFor(t, a.Addr(), "Cluster state changed\n", "start")
	waitFor(t, a.Addr(), "RUNNING\n", "print", "cluster")
	waitFor(t, a.Addr(), "# ptid: 1, replicas: 0\nS1 R UUUU\n", "print", "pt")
	if out := mustRun(t, a.Addr(), "print", "pt", "1", "3"); out != "# ptid: 1, replicas: 0\n001 | S1 - UP_TO_DATE |\n002 | S1 - UP_TO_DATE |\n" {
		t.Errorf("print pt 1 3: %q", out)
	}
	if _, err := run(t, a.Addr(), "print", "pt", "0", "9"); err == nil || !strings.Contains(err.Error(), "invalid partition table offset") {
		t.Errorf("print pt 0 9: %v", err)
	}
	waitFor(t, a.Addr(), "# {}\nRUNNING; UP_TO_DATE=4; ltid=0000000000000000 (1900-01-01 00:00:00)\n", "print", "summary")
	ids := mustRun(t, a.Addr(), "print", "ids")
	if !strings.HasPrefix(ids, "last_oid = 0x") || !strings.HasSuffix(ids, "\nlast_ptid = 1\n") {
		t.Errorf("print ids: %q", ids)
	}
	var de *ctl.DeniedError
	if _, err := run(t, a.Addr(), "kill", "S9"); !errors.As(err, &de) {
		t.Errorf("kill S9: %v, want a refusal", err)
	}
	if out := mustRun(t, a.Addr(), "tweak"); out != "No change done.\n" {
		t.Errorf("tweak: %q", out)
	}
	if out := mustRun(t, a.Addr(), "set", "cluster", "STOPPING"); out != "Cluster state changed\n" {
		t.Errorf("set cluster STOPPING: %q", out)
	}
	// The admin stops with the cluster: Run returns nil by itself.
	if err := stopAdmin(); err != nil {
		t.Errorf("admin after STOPPING: %v", err)
	}
}

func TestAdminWithoutMaster(t *testing.T) {
	// A master address nobody listens on: the admin keeps trying.
	m := newMaster(t, "tadm")
	addr := m.Addr()
	start(t, "master", m)() // stopped at once: its port is free again
	a := newAdmin(t, "tadm", addr)
	start(t, "admin", a)
	for _, args := range [][]string{{"print", "cluster"}, {"print", "node"}, {"start"}, {"print", "ids"}} {
		_, err := run(t, a.Addr(), args...)
		var nr *ctl.NotReadyError
		if !errors.As(err, &nr) || err.Error() != "ERROR: Not connected to a primary master." {
			t.Errorf("%v: %v, want NOT_READY", args, err)
		}
	}
}

func TestAdminWrongCluster(t *testing.T) {
	m := newMaster(t, "good")
	start(t, "master", m)
	a := newAdmin(t, "bad", m.Addr())
	err := a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid cluster name") {
		t.Fatalf("Run with another cluster's name: %v", err)
	}
}

func TestAdminProtocol(t *testing.T) {
	m := newMaster(t, "tadm")
	start(t, "master", m)
	a := newAdmin(t, "tadm", m.Addr())
	start(t, "admin", a)
	waitFor(t, a.Addr(), "RECOVERING\n", "print", "cluster")
	ctx := context.Background()
	for _, tc := range []struct {
		req  proto.Msg
		code proto.ErrorCode
		text string
	}{
		{&proto.RequestIdentification{NodeType: proto.Admin, ClusterName: "backup", IDTimestamp: proto.NoTime}, proto.ProtocolError, `unknown backup cluster "backup"`},
		{&proto.RequestIdentification{NodeType: proto.Client, ClusterName: "tadm", IDTimestamp: proto.NoTime}, proto.ProtocolError, "reject non-admin node"},
		{&proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid}, proto.ProtocolError, "unexpected packet type AskObject in admin"},
	} {
		l, err := link.Dial(ctx, "tcp", a.Addr(), link.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Ask(ctx, tc.req)
		var ea *link.ErrorAnswer
		if !errors.As(err, &ea) || ea.Code != tc.code || ea.Message != tc.text {
			t.Errorf("%T: %v, want %v %q", tc.req, err, tc.code, tc.text)
		}
		<-l.Done() // the admin closes the connection
		l.Close()
	}
	// Garbage instead of a handshake: the admin drops the connection and
	// goes on serving.
	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	io.Copy(io.Discard, conn)
	conn.Close()
	waitFor(t, a.Addr(), "RECOVERING\n", "print", "cluster")
}

// waitNode waits until print node lists nid in state.
func waitNode(t *testing.T, addr, nid, state string) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		out, err := run(t, addr, "print", "node")
		if err == nil {
			for _, line := range strings.Split(out, "\n") {
				f := strings.Split(line, " | ")
				if len(f) == 5 && strings.TrimSpace(f[0]) == nid && strings.TrimSpace(f[3]) == state {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("node %s never %s", nid, state)
}

// TestAdminNotPrimary: a secondary master answers the identification with
// NotPrimaryMaster naming the primary, which is not in our masters list;
// the admin goes there.
func TestAdminNotPrimary(t *testing.T) {
	m := newMaster(t, "tadm")
	start(t, "master", m)
	host, port, _ := net.SplitHostPort(m.Addr())
	p, _ := strconv.Atoi(port)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	secondary := link.HandlerFunc(func(l *link.Link, req link.Request) {
		if _, ok := req.Msg.(*proto.RequestIdentification); ok {
			l.Notify(&proto.NotPrimaryMaster{Primary: 1, Masters: []*proto.Address{{Host: "127.0.0.1", Port: 1}, {Host: host, Port: uint16(p)}}})
		}
		l.Close()
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if l, err := link.NewLink(conn, link.Options{Handler: secondary}); err == nil {
				go func() { <-l.Done() }()
			}
		}
	}()
	a := newAdmin(t, "tadm", ln.Addr().String())
	start(t, "admin", a)
	waitFor(t, a.Addr(), "M1\n", "print", "primary")
}

// TestAdminMasterRestart: the admin follows a master that restarts on the
// same address, and answers NOT_READY meanwhile.
func TestAdminMasterRestart(t *testing.T) {
	m := newMaster(t, "tadm")
	addr := m.Addr()
	stopMaster := start(t, "master", m)
	a := newAdmin(t, "tadm", addr)
	start(t, "admin", a)
	waitFor(t, a.Addr(), "RECOVERING\n", "print", "cluster")
	if err := stopMaster(); err != nil {
		t.Fatal(err)
	}
	waitNotReady(t, a.Addr())
	m2, err := master.New(master.Config{Config: cluster.Config{Cluster: "tadm", Bind: addr, Logger: quiet}, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	start(t, "master again", m2)
	waitFor(t, a.Addr(), "RECOVERING\n", "print", "cluster")
	waitFor(t, a.Addr(), "M1\n", "print", "primary")
}

func TestAdminNID(t *testing.T) {
	m := newMaster(t, "tadm")
	start(t, "master", m)
	a, err := New(Config{Config: cluster.Config{Cluster: "tadm", Masters: []string{m.Addr()}, Bind: "127.0.0.1:0", Logger: quiet}, NID: -0x30<<24 + 7})
	if err != nil {
		t.Fatal(err)
	}
	start(t, "admin", a)
	waitFor(t, a.Addr(), "RECOVERING\n", "print", "cluster")
	out := mustRun(t, a.Addr(), "print", "node", "admin")
	if !strings.HasPrefix(out, "A7 | ADMIN | ") {
		t.Errorf("print node admin: %q", out)
	}
	if _, err := New(Config{Config: cluster.Config{Cluster: "tadm", Masters: []string{m.Addr()}}, NID: 1}); err == nil {
		t.Error("an admin with a storage's NID")
	}
}
