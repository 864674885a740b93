package clustertest

import (
	"context"
	"fmt"
	"github.com/zodbneo/zodbneo/internal/testnet"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"testing"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
)

// Nodes started one by one, for tests that need more than neo/simple
// gives: several masters, fixed addresses, nodes in child processes.

// runner runs one node until stop is called.
type runner struct {
	cancel context.CancelFunc
	done   chan error
}

// run runs n (a master, storage or admin) until stop or the end of the
// test; a Run ending in error fails the test.
func run(t *testing.T, n interface{ Run(context.Context) error }) *runner {
	ctx, cancel := context.WithCancel(bg)
	r := &runner{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- n.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop ends the node's Run and waits for it; again is harmless.
func (r *runner) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	if err := <-r.done; err != nil {
		t.Errorf("node: %v", err)
	}
	r.cancel = nil
}

// closeNode releases what New opened for a node never run.
func closeNode(n interface{ Run(context.Context) error }) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	n.Run(ctx)
}

// freeAddrs returns n loopback addresses to bind later.
func freeAddrs(t *testing.T, n int) []string { return testnet.FreeAddrs(t, n) }

// The crash tests run a node in a child process (this test binary, told
// so by its environment) so that it can be killed for real: SIGKILL, no
// chance to finish a write or close its database.
const (
	envNode     = "CLUSTERTEST_NODE"
	envCluster  = "CLUSTERTEST_CLUSTER"
	envMaster   = "CLUSTERTEST_MASTER"
	envBind     = "CLUSTERTEST_BIND"
	envDatabase = "CLUSTERTEST_DATABASE"
)

// runChildNode runs the node the environment describes, if any, and
// exits; TestMain calls it first.
func runChildNode() {
	role := os.Getenv(envNode)
	if role == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	cfg := cluster.Config{Cluster: os.Getenv(envCluster), Masters: []string{os.Getenv(envMaster)},
		Bind: os.Getenv(envBind), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var n interface{ Run(context.Context) error }
	var err error
	switch role {
	case "storage":
		n, err = storage.New(storage.Config{Config: cfg, Adapter: "SQLite", Database: os.Getenv(envDatabase)})
	case "master":
		n, err = master.New(master.Config{Config: cfg, Autostart: 1, Partitions: 2})
	default:
		err = fmt.Errorf("unknown node %q", role)
	}
	if err == nil {
		err = n.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childNode is a node (a storage or a master) in a child process.
type childNode struct {
	cmd  *exec.Cmd
	once sync.Once
}

// spawnNode starts a node (storage or master) in a child process.
func spawnNode(role, name, masterAddr, bind, db string) (*childNode, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envNode+"="+role, envCluster+"="+name, envMaster+"="+masterAddr,
		envBind+"="+bind, envDatabase+"="+db)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &childNode{cmd: cmd}, nil
}

// kill kills the child (SIGKILL) and reaps it; again is harmless.
func (s *childNode) kill() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	})
}

// children are the child processes a test started, all killed when it
// ends whatever happened.
type children struct {
	mu   sync.Mutex
	list []*childNode
}

func newChildren(t *testing.T) *children {
	cs := &children{}
	t.Cleanup(func() {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		for _, c := range cs.list {
			c.kill()
		}
	})
	return cs
}

func (cs *children) spawn(role, name, masterAddr, bind, db string) (*childNode, error) {
	c, err := spawnNode(role, name, masterAddr, bind, db)
	if err == nil {
		cs.mu.Lock()
		cs.list = append(cs.list, c)
		cs.mu.Unlock()
	}
	return c, err
}
