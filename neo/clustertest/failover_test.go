package clustertest

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/zodbneo/zodbneo/neo/admin"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/master"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage"
	"github.com/zodbneo/zodbneo/zodb"
)

// TestMasterFailover runs two masters (NEO/py's election: one primary,
// one secondary), a storage and an admin; the primary goes away: the
// secondary takes over, the other nodes and the client follow it, and
// nothing committed is lost.
func TestMasterFailover(t *testing.T) {
	t.Parallel()
	const name = "failover"
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var addrs []string
	cfg := func(bind string) cluster.Config {
		return cluster.Config{Cluster: name, Masters: addrs, Bind: bind, Logger: logger}
	}
	// Both addresses are needed before either master listens: a port
	// found free may be taken meanwhile; pick again then.
	var made []*master.Master
	for attempt := 0; len(made) < 2; attempt++ {
		addrs = freeAddrs(t, 2)
		made = made[:0]
		for _, a := range addrs {
			m, err := master.New(master.Config{Config: cfg(a), Autostart: 1, Partitions: 4})
			if err != nil {
				if attempt == 5 || !errors.Is(err, syscall.EADDRINUSE) {
					t.Fatal(err)
				}
				for _, m := range made {
					closeNode(m)
				}
				break
			}
			made = append(made, m)
		}
	}
	var masters []*runner
	for _, m := range made {
		masters = append(masters, run(t, m))
	}
	s, err := storage.New(storage.Config{Config: cfg("127.0.0.1:0"), Adapter: "SQLite",
		Database: filepath.Join(t.TempDir(), "storage.db")})
	if err != nil {
		t.Fatal(err)
	}
	run(t, s)
	adm, err := admin.New(admin.Config{Config: cfg("127.0.0.1:0")})
	if err != nil {
		t.Fatal(err)
	}
	run(t, adm)

	url := "neo://" + name + "@" + addrs[0] + "," + addrs[1]
	w := open(t, url)
	oid := newOids(t, w, 1)[0]
	tid1 := commit(t, w, "before", map[zodb.Oid][]byte{oid: []byte("before")}, nil)

	// The primary accepts an admin; a secondary answers NotPrimaryMaster.
	primary := -1
	for i, a := range addrs {
		if acc, err := identify(t, a, proto.Admin, name, nil); err == nil && acc.NodeType == proto.Master {
			if primary >= 0 {
				t.Fatalf("two primary masters: %s and %s", addrs[primary], a)
			}
			primary = i
		}
	}
	if primary < 0 {
		t.Fatal("no primary master")
	}
	masters[primary].stop(t)
	second := addrs[1-primary]

	// The new primary names itself as the node list names it, to new
	// peers and to the admin (NEO/py's keeps the NID it had as secondary).
	var acc *proto.AcceptIdentification
	waitFor(t, "the secondary to take over", func() bool {
		acc, err = identify(t, second, proto.Admin, name, nil)
		return err == nil
	})
	// (the admin drops its neoctl connections when it loses the primary:
	// ask on a new one each time)
	waitFor(t, "the admin to see the new primary", func() bool {
		a, err := ctl.Dial(bg, adm.Addr(), nil)
		if err != nil {
			return false
		}
		defer a.Close()
		p, err := a.Primary(bg)
		if err != nil || p != acc.MyNID {
			return false
		}
		nodes, err := a.NodeList(bg, proto.Master)
		for _, n := range nodes {
			if n.Addr.String() == second {
				return err == nil && n.NID == acc.MyNID && n.State == proto.NodeRunning
			}
		}
		return false
	})

	tid2 := commit(t, w, "after", map[zodb.Oid][]byte{oid: []byte("after")}, map[zodb.Oid]zodb.Tid{oid: tid1})
	r := open(t, url)
	if head, err := r.Sync(bg); err != nil || head != tid2 {
		t.Fatalf("new client after the failover: head %s, %v; want %s", head, err, tid2)
	}
	wantLoad(t, r, oid, tid1, []byte("before"), tid1)
	wantLoad(t, r, oid, tid2, []byte("after"), tid2)
}
