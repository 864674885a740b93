package clustertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/storage"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/storagetest"
)

// The crash test runs a storage node in a child process (this test
// binary, told so by its environment) so that it can be killed for real:
// SIGKILL, no chance to finish a write or close its database.
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
	if os.Getenv(envNode) != "storage" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	s, err := storage.New(storage.Config{
		Config: cluster.Config{Cluster: os.Getenv(envCluster), Masters: []string{os.Getenv(envMaster)},
			Bind: os.Getenv(envBind), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Adapter: "SQLite", Database: os.Getenv(envDatabase)})
	if err == nil {
		err = s.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childStorage is a storage node in a child process.
type childStorage struct {
	cmd  *exec.Cmd
	once sync.Once
}

func spawnStorage(name, masterAddr, bind, db string) (*childStorage, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envNode+"=storage", envCluster+"="+name, envMaster+"="+masterAddr,
		envBind+"="+bind, envDatabase+"="+db)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &childStorage{cmd: cmd}, nil
}

// kill kills the child (SIGKILL) and reaps it; again is harmless.
func (s *childStorage) kill() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	})
}

// TestStorageKilled commits in a loop while the only storage is killed
// (SIGKILL) three times at different points and started again over its
// database: every commit the client was told succeeded is there after
// each restart, with its data, and the database reads consistently.
func TestStorageKilled(t *testing.T) {
	const name = "crash"
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: name, Bind: "127.0.0.1:0",
		Masters: nil, Logger: logger}, Autostart: 1, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	run(t, m)
	bind := freeAddrs(t, 1)[0]
	db := filepath.Join(t.TempDir(), "storage.db")
	// every child started, killed when the test ends whatever happened
	var mu sync.Mutex
	var children []*childStorage
	spawn := func() (*childStorage, error) {
		c, err := spawnStorage(name, m.Addr(), bind, db)
		if err == nil {
			mu.Lock()
			children = append(children, c)
			mu.Unlock()
		}
		return c, err
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range children {
			c.kill()
		}
	})
	s, err := spawn()
	if err != nil {
		t.Fatal(err)
	}

	w := open(t, "neo://"+name+"@"+m.Addr())
	oids := newOids(t, w, 4)
	acked := map[zodb.Tid]zodb.Oid{} // commits Finish reported, and the oid each changed
	serial := map[zodb.Oid]zodb.Tid{}
	var last map[zodb.Oid][]byte = map[zodb.Oid][]byte{}
	n, failed := 0, 0
	// commitWhile commits until more() says enough, retrying (for up to
	// a minute without success) while the cluster is down.
	commitWhile := func(more func(acked int) bool) {
		deadline := time.Now().Add(time.Minute)
		for done := 0; more(done); {
			oid := oids[n%len(oids)]
			data := []byte(fmt.Sprintf("commit %d", n))
			tid, err := tryCommit(w, "crash", map[zodb.Oid][]byte{oid: data}, map[zodb.Oid]zodb.Tid{oid: serial[oid]})
			n++
			if err != nil {
				failed++
				if time.Now().After(deadline) {
					t.Fatalf("no commit for a minute: %v", err)
				}
				// a commit in flight at the kill may have gone through:
				// learn the current serials again before the next one.
				if _, err := w.Sync(bg); err == nil {
					for _, o := range oids {
						if _, s, err := w.Load(bg, zodb.Xid{Oid: o, At: w.Head()}); err == nil {
							serial[o] = s
						}
					}
				}
				time.Sleep(20 * time.Millisecond)
				continue
			}
			acked[tid], serial[oid], last[oid] = oid, tid, data
			done++
			deadline = time.Now().Add(time.Minute)
		}
	}
	check := func() {
		t.Helper()
		r := open(t, "neo://"+name+"@"+m.Addr()+"?cache-size=0")
		head, err := r.Sync(bg)
		if err != nil {
			t.Fatal(err)
		}
		for tid, oid := range acked {
			if _, s, err := r.Load(bg, zodb.Xid{Oid: oid, At: tid}); err != nil || s != tid {
				t.Errorf("acknowledged commit %s of %s lost: load gives %s, %v", tid, oid, s, err)
			}
		}
		for oid, data := range last {
			wantLoad(t, r, oid, head, data, serial[oid])
		}
	}

	commitWhile(func(acked int) bool { return acked < 5 })
	for i, delay := range []time.Duration{0, 3 * time.Millisecond, 11 * time.Millisecond} {
		// kill while commits are going on, and start again a moment
		// later: the client waits for the cluster meanwhile (as NEO/py's).
		restarted := make(chan error, 1)
		go func(old *childStorage) {
			time.Sleep(delay)
			old.kill()
			time.Sleep(50 * time.Millisecond)
			var err error
			s, err = spawn()
			restarted <- err
		}(s)
		var restartErr error
		base := -1 // commits acknowledged when the storage was back
		commitWhile(func(acked int) bool {
			if base < 0 {
				select {
				case restartErr = <-restarted:
					base = acked
				default:
					return true
				}
			}
			return restartErr == nil && acked-base < 3
		})
		if restartErr != nil {
			t.Fatal(restartErr)
		}
		check()
		t.Logf("kill %d: %d commits acknowledged, %d failed so far", i, len(acked), failed)
	}
	storagetest.RunReadSuite(t, func(t *testing.T) zodb.Storage {
		s, err := zodb.Open(bg, "neo://"+name+"@"+m.Addr(), &zodb.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, nil)
}
