package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// Config is the admin's configuration: NEO/py's neoadmin common options.
type Config struct {
	cluster.Config
	// NID is the NID to ask the master for at the first identification
	// (NEO/py's -i/--nid, for tests); proto.NoNID lets the master choose.
	// As NEO/py, the admin asks none after losing the master.
	NID proto.NID
}

// notConnected is NEO/py's NOT_CONNECTED_MESSAGE.
const notConnected = "Not connected to a primary master."

// Admin is an admin node.
type Admin struct {
	cfg  Config
	ln   net.Listener
	addr *proto.Address // our listening address, sent to the master
	log  *slog.Logger

	mu struct {
		sync.Mutex
		log       *slog.Logger // with our NID once known
		master    *link.Link   // nil when not identified to the primary
		masterNID proto.NID
		nid       proto.NID
		nodes     *cluster.NodeTable
		pt        *cluster.PartitionTable // nil until the master sends it
		state     proto.ClusterState
		hasState  bool
		stateGen  int // NotifyClusterInformation applied so far
		ctls      map[*link.Link]bool
		mon       monitor
		closed    bool // Run is returning: start no goroutine
	}
	wg  sync.WaitGroup // connection goroutines
	fwd sync.WaitGroup // orders being forwarded to the master

	stopped  chan struct{} // closed when the master says STOPPING
	stopOnce sync.Once
}

// New checks cfg and listens on cfg.Bind (port 0: any free port).
func New(cfg Config) (*Admin, error) {
	if cfg.Cluster == "" {
		return nil, errors.New("admin: cluster name must be non-empty")
	}
	if len(cfg.Masters) == 0 {
		return nil, errors.New("admin: no master address")
	}
	for _, m := range cfg.Masters {
		if _, err := cluster.ParseAddress(m); err != nil {
			return nil, fmt.Errorf("admin: masters: %w", err)
		}
	}
	if cfg.NID != proto.NoNID {
		if t, _, ok := link.NIDType(cfg.NID); !ok || t != proto.Admin {
			return nil, fmt.Errorf("admin: NID %v is not an admin's", cfg.NID)
		}
	}
	ln, addr, err := cluster.Listen(cfg.Bind)
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	a := &Admin{cfg: cfg, ln: ln, addr: addr, stopped: make(chan struct{})}
	a.log = cfg.Log().With("node", "admin")
	a.mu.log = a.log
	a.mu.nid = cfg.NID
	a.mu.nodes = cluster.NewNodeTable()
	a.mu.ctls = map[*link.Link]bool{}
	return a, nil
}

// Addr is the address the admin listens on, host:port.
func (a *Admin) Addr() string { return a.ln.Addr().String() }

// Run serves neoctl and follows the primary master until ctx ends or the
// cluster is stopped (STOPPING), then closes every connection. It
// returns nil then, an error if the master refuses us for good (another
// cluster name).
func (a *Admin) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.acceptLoop(ctx)
	}()
	err := a.masterLoop(ctx)
	cancel()
	a.ln.Close()
	a.mu.Lock()
	a.mu.closed = true
	a.mu.Unlock()
	// The master link is closed: let the orders in flight relay their
	// answer or failure (the ACK of "set cluster STOPPING" comes just
	// before the master leaves), as NEO/py waits for its connections to
	// be idle.
	a.fwd.Wait()
	a.mu.Lock()
	for l := range a.mu.ctls {
		l.Close()
	}
	if a.mu.master != nil {
		a.mu.master.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
	return err
}

func (a *Admin) logger() *slog.Logger {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mu.log
}

// acceptLoop takes neoctl connections until the listener closes.
func (a *Admin) acceptLoop(ctx context.Context) {
	for {
		conn, err := a.ln.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				a.logger().Error("accept", "err", err)
			}
			return
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.serveCtl(ctx, conn)
		}()
	}
}

// serveCtl runs one neoctl connection until it closes.
func (a *Admin) serveCtl(ctx context.Context, conn net.Conn) {
	l, err := link.NewLink(conn, link.Options{Handler: link.HandlerFunc(a.serveCtlRequest), TLS: a.cfg.TLS, HandshakeTimeout: handshakeTimeout})
	if err != nil {
		a.logger().Debug("neoctl connection", "peer", conn.RemoteAddr().String(), "err", err)
		return
	}
	a.mu.Lock()
	if ctx.Err() != nil {
		a.mu.Unlock()
		l.Close()
		return
	}
	a.mu.ctls[l] = true
	a.mu.Unlock()
	<-l.Done()
	a.mu.Lock()
	delete(a.mu.ctls, l)
	a.mu.mon.dropWaiters(l)
	a.mu.Unlock()
}
