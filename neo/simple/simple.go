package simple

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
)

// Options say what cluster to start. The zero value is usable.
type Options struct {
	// Dir is the work directory holding the storages' databases
	// (storage<i>.db). Empty: a temporary directory, removed by Close. A
	// given directory is kept, so a second Start over it finds the same
	// data.
	Dir string
	// Cluster is the cluster name; "simple" when empty.
	Cluster string
	// Storages is the number of storage nodes (1 when 0).
	Storages int
	// Partitions and Replicas shape the partition table made when the
	// cluster starts for the first time (12 partitions when 0, as NEO/py's
	// sample neo.conf; 0 replicas). Replicas must be below Storages.
	Partitions, Replicas int
	// Logger receives every node's log (each node adds node= and nid=);
	// nil discards it.
	Logger *slog.Logger
	// MasterBind is the master's address, host:port, so that the URL
	// stays the same from one Start to the next; "" means a free port on
	// 127.0.0.1. The other nodes always take free ports.
	MasterBind string
	// CA, Cert and Key, when set (all three), run every connection over
	// TLS with these PEM files, as NEO/py's --ca/--cert/--key; every node
	// uses the same certificate, and URL is then a neos:// URL naming them.
	CA, Cert, Key string
}

// Cluster is a running cluster. Its methods are safe for concurrent use.
type Cluster struct {
	opt     Options // defaults filled
	tls     *tls.Config
	dir     string
	tempDir bool // dir is ours: Close removes it
	log     *slog.Logger

	mu struct {
		sync.Mutex
		master   *proc
		admin    *proc
		storages []*proc // nil entry: stopped by StopStorage
		closed   bool
	}
	masterAddr string
	adminAddr  string
	storAddrs  []string // guarded by mu once Start returned; kept across StopStorage/StartStorage

	// stopped is closed when the master exits on its own (the cluster
	// was told to stop, or the master failed); stopErr says why.
	stopped  chan struct{}
	stopOnce sync.Once
	stopErr  error
}

// proc is one node running on its own goroutine.
type proc struct {
	name   string
	node   node
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error         // Run's result, set before done is closed
}

// node is what the Node API convention gives every node.
type node interface {
	Addr() string
	Run(ctx context.Context) error
}

// Start starts a cluster as opt says and returns once it is RUNNING. ctx
// bounds the start only: the nodes run until Close. On error everything
// started is stopped again.
func Start(ctx context.Context, opt Options) (*Cluster, error) {
	opt, err := fillDefaults(opt)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opt: opt, log: opt.Logger, stopped: make(chan struct{})}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if opt.CA != "" {
		if c.tls, err = link.LoadTLS(opt.CA, opt.Cert, opt.Key); err != nil {
			return nil, fmt.Errorf("simple: %w", err)
		}
	}
	if err := c.makeDir(); err != nil {
		return nil, err
	}
	if err := c.startAll(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func fillDefaults(opt Options) (Options, error) {
	if opt.Cluster == "" {
		opt.Cluster = "simple"
	}
	if opt.Storages == 0 {
		opt.Storages = 1
	}
	if opt.Partitions == 0 {
		opt.Partitions = 12
	}
	if _, partial := link.TLSFiles(opt.CA, opt.Cert, opt.Key); partial {
		return opt, errors.New("simple: TLS needs all of CA, Cert and Key")
	}
	for _, f := range []*string{&opt.CA, &opt.Cert, &opt.Key} {
		if *f != "" {
			abs, err := filepath.Abs(*f) // the URL must name them from anywhere
			if err != nil {
				return opt, fmt.Errorf("simple: %w", err)
			}
			*f = abs
		}
	}
	switch {
	case opt.Storages < 0:
		return opt, fmt.Errorf("simple: %d storages: need at least 1", opt.Storages)
	case opt.Partitions < 0:
		return opt, fmt.Errorf("simple: %d partitions: need at least 1", opt.Partitions)
	case opt.Replicas < 0 || opt.Replicas >= opt.Storages:
		return opt, fmt.Errorf("simple: %d replicas with %d storages: each copy of a partition needs its own storage", opt.Replicas, opt.Storages)
	}
	return opt, nil
}

func (c *Cluster) makeDir() error {
	if c.opt.Dir == "" {
		d, err := os.MkdirTemp("", "neo-simple-")
		if err != nil {
			return fmt.Errorf("simple: %w", err)
		}
		c.dir, c.tempDir = d, true
		return nil
	}
	if err := os.MkdirAll(c.opt.Dir, 0o777); err != nil {
		return fmt.Errorf("simple: %w", err)
	}
	c.dir = c.opt.Dir
	return nil
}

// startAll starts the master first (the others need its address), then
// the storages and the admin, and waits for RUNNING.
func (c *Cluster) startAll(ctx context.Context) error {
	bind := c.opt.MasterBind
	if bind == "" {
		bind = "127.0.0.1:0"
	}
	m, err := c.startMaster(bind)
	if err != nil {
		return err
	}
	c.masterAddr = m.node.Addr()
	c.storAddrs = make([]string, c.opt.Storages)
	c.mu.storages = make([]*proc, c.opt.Storages)
	for i := range c.opt.Storages {
		if err := c.startStorage(i, "127.0.0.1:0"); err != nil {
			return err
		}
	}
	a, err := c.spawn("admin", func(cfg cluster.Config) (node, error) { return newAdmin(cfg) }, "127.0.0.1:0")
	if err != nil {
		return err
	}
	c.adminAddr = a.node.Addr()
	c.mu.Lock()
	c.mu.admin = a
	c.mu.Unlock()
	return c.waitRunning(ctx)
}

func (c *Cluster) startMaster(bind string) (*proc, error) {
	p, err := c.spawn("master", func(cfg cluster.Config) (node, error) {
		return newMaster(cfg, c.opt.Storages, uint32(c.opt.Partitions), uint32(c.opt.Replicas))
	}, bind)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	closed := c.mu.closed
	if !closed {
		c.mu.master = p
	}
	c.mu.Unlock()
	if closed {
		p.stop()
		return nil, ErrClosed
	}
	go c.watchMaster(p)
	return p, nil
}

// watchMaster marks the cluster stopped when p exits without having been
// told to (Close and RestartMaster cancel it first).
func (c *Cluster) watchMaster(p *proc) {
	<-p.done
	c.mu.Lock()
	ours := c.mu.master == p && !c.mu.closed
	c.mu.Unlock()
	if ours {
		c.markStopped(p.err)
	}
}

func (c *Cluster) markStopped(err error) {
	c.stopOnce.Do(func() {
		c.stopErr = err
		close(c.stopped)
	})
}

func (c *Cluster) startStorage(i int, bind string) error {
	db := filepath.Join(c.dir, fmt.Sprintf("storage%d.db", i))
	p, err := c.spawn(fmt.Sprintf("storage %d", i), func(cfg cluster.Config) (node, error) {
		return newStorage(cfg, db)
	}, bind)
	if err != nil {
		return err
	}
	c.mu.Lock()
	closed := c.mu.closed
	if !closed {
		c.storAddrs[i] = p.node.Addr()
		c.mu.storages[i] = p
	}
	c.mu.Unlock()
	if closed {
		p.stop()
		return ErrClosed
	}
	return nil
}

// spawn makes a node with the cluster's common config and runs it.
func (c *Cluster) spawn(name string, mk func(cluster.Config) (node, error), bind string) (*proc, error) {
	cfg := cluster.Config{
		Cluster: c.opt.Cluster,
		Bind:    bind,
		TLS:     c.tls,
		Logger:  c.log,
	}
	// A lone master runs with no other master (NEO/py's -m defaults to
	// "" for masters); the other nodes find it at its address.
	if c.masterAddr != "" {
		cfg.Masters = []string{c.masterAddr}
	}
	n, err := mk(cfg)
	if err != nil {
		return nil, fmt.Errorf("simple: %s: %w", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &proc{name: name, node: n, cancel: cancel, done: make(chan struct{})}
	go func() {
		p.err = n.Run(ctx)
		if p.err != nil && ctx.Err() == nil {
			c.log.Error("node stopped", "node", name, "err", p.err)
		}
		close(p.done)
	}()
	return p, nil
}

// stop cancels p and waits for it.
func (p *proc) stop() error {
	p.cancel()
	<-p.done
	if p.err != nil && !errors.Is(p.err, context.Canceled) {
		return fmt.Errorf("simple: %s: %w", p.name, p.err)
	}
	return nil
}

// URL is the cluster's neo:// URL, for zodb.Open and every zodb command;
// with TLS, a neos:// URL naming the CA, certificate and key files.
func (c *Cluster) URL() string {
	if c.tls == nil {
		return "neo://" + c.opt.Cluster + "@" + c.masterAddr
	}
	return "neos://" + c.opt.Cluster + "@" + c.masterAddr +
		"?ca=" + queryPath(c.opt.CA) + "&cert=" + queryPath(c.opt.Cert) + "&key=" + queryPath(c.opt.Key)
}

// queryPath escapes a path for a URL query, keeping its slashes (valid
// there, and easier to read).
func queryPath(p string) string { return strings.ReplaceAll(url.QueryEscape(p), "%2F", "/") }

// TLS is the TLS configuration of the nodes (nil without TLS), for
// clients such as neo/ctl.
func (c *Cluster) TLS() *tls.Config { return c.tls }

// MasterAddr is the master's address, host:port.
func (c *Cluster) MasterAddr() string { return c.masterAddr }

// AdminAddr is the admin's address, for `neo ctl -a`.
func (c *Cluster) AdminAddr() string { return c.adminAddr }

// Dir is the work directory holding the databases.
func (c *Cluster) Dir() string { return c.dir }

// Name is the cluster name.
func (c *Cluster) Name() string { return c.opt.Cluster }

// Stopped is closed when the master exits on its own: the cluster was
// told to stop (`neo ctl set cluster STOPPING`) or the master failed; Err
// then says which.
func (c *Cluster) Stopped() <-chan struct{} { return c.stopped }

// Err is why the master exited (nil after a clean stop); meaningful once
// Stopped is closed.
func (c *Cluster) Err() error {
	select {
	case <-c.stopped:
		return c.stopErr
	default:
		return nil
	}
}
