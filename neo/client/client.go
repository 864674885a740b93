package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

func init() {
	zodb.RegisterDriver("neo", openURL)
	zodb.RegisterDriver("neos", openURL)
}

func openURL(ctx context.Context, u *url.URL, rawURL string, opt *zodb.Options) (zodb.Storage, error) {
	o, err := ParseURL(u)
	if err != nil {
		return nil, fmt.Errorf("neo: open %s: %w", rawURL, err)
	}
	if opt != nil && opt.ReadOnly {
		o.ReadOnly = true
	}
	return Open(ctx, rawURL, o, nil)
}

// ErrClosed is returned by operations on a closed Client.
var ErrClosed = errors.New("neo: client closed")

// Client is a connection to a NEO cluster serving as a zodb.Storage,
// zodb.Writer and zodb.Watcher. All its methods may be called from several
// goroutines at once.
type Client struct {
	url string
	opt Options
	// log is the base logger (node=client); logger() adds nid= once
	// the master gave one.
	log   *slog.Logger
	nlog  atomic.Pointer[slog.Logger]
	cache *cache

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// view is what loads need, replaced whole on every change.
	view atomic.Pointer[view]

	mu struct {
		sync.Mutex
		changed chan struct{} // closed (and replaced) on any change below or of head
		conn    *masterConn   // the current master link, nil while looking for one
		nid     proto.NID     // given by the master; kept across reconnections
		pt      *cluster.PartitionTable
		nodes   *cluster.NodeTable
		fatal   error // the cluster refused us for good
		// answered: a master answered the handshake once; lastErr is
		// the last failure to connect to one.
		answered bool
		lastErr  error
		txns     map[zodb.Tid]*txn
		lastOid  zodb.Oid
		// restored: the last revision of each oid copied with
		// BeginRestore, the base of the next copy (NEO/py's importFrom
		// keeps the same "preindex").
		restored map[zodb.Oid]zodb.Tid
	}

	stors storLinks
	oids  oidPool
	ev    events

	// commitLock is held by a transaction from its vote to its end;
	// restoreLock by a restore from its begin to its end.
	commitLock  chan struct{}
	restoreLock chan struct{}
}

// view is an immutable snapshot of the cluster as the master told it.
type view struct {
	master *masterConn // nil while disconnected
	nid    proto.NID
	pt     *cluster.PartitionTable // nil before the master sent it
	nodes  map[proto.NID]proto.NodeInfo
}

// idTimestamp is the id_timestamp the master gave us, NoTime if unknown.
func (v *view) idTimestamp() float64 {
	if n, ok := v.nodes[v.nid]; ok {
		return n.IDTimestamp
	}
	return proto.NoTime
}

var (
	_ zodb.Storage = (*Client)(nil)
	_ zodb.Writer  = (*Client)(nil)
	_ zodb.Watcher = (*Client)(nil)
)

// Open connects to the cluster and returns once the client is ready to
// serve (the cluster is RUNNING and its partition table operational), or
// when ctx ends. rawURL is what URL returns. logger may be nil.
//
// Errors: a refusal by the cluster (a wrong cluster name) is returned at
// once, with the cluster name and the master's address; when no master
// answers at all for 10 seconds, the last connection error. A cluster
// that answers NOT_READY (starting) is waited for as long as ctx lets.
func Open(ctx context.Context, rawURL string, opt *Options, logger *slog.Logger) (*Client, error) {
	if opt == nil || len(opt.Masters) == 0 || opt.Cluster == "" {
		return nil, fmt.Errorf("neo: open %s: no cluster name or no master", rawURL)
	}
	if logger == nil {
		logger = slog.Default()
	}
	c := &Client{
		url:         rawURL,
		opt:         *opt,
		log:         logger.With("node", "client"),
		commitLock:  make(chan struct{}, 1),
		restoreLock: make(chan struct{}, 1),
	}
	size := opt.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	c.cache = newCache(size)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.mu.changed = make(chan struct{})
	c.mu.nodes = cluster.NewNodeTable()
	c.mu.txns = map[zodb.Tid]*txn{}
	c.stors.m = map[proto.NID]*storConn{}
	c.ev.init()
	c.view.Store(&view{})
	c.wg.Add(1)
	go c.runMaster()
	if err := c.waitOpen(ctx); err != nil {
		c.Close()
		return nil, &zodb.OpError{URL: rawURL, Op: "open", Err: err}
	}
	return c, nil
}

// openUnreachable bounds how long Open waits when no master answers at
// all (a wrong address): a cluster that answers, even NOT_READY, is
// waited for as long as ctx lets.
var openUnreachable = 10 * time.Second

func (c *Client) waitOpen(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := time.AfterFunc(openUnreachable, func() {
		c.mu.Lock()
		answered := c.mu.answered
		c.mu.Unlock()
		if !answered {
			cancel()
		}
	})
	defer t.Stop()
	_, err := c.ready(ctx)
	if err != nil && ctx.Err() != nil {
		c.mu.Lock()
		answered, last := c.mu.answered, c.mu.lastErr
		c.mu.Unlock()
		if !answered && last != nil {
			return fmt.Errorf("neo: no master of cluster %q reachable: %w", c.opt.Cluster, last)
		}
	}
	return err
}

// Close disconnects from the cluster. Operations in progress fail.
func (c *Client) Close() error {
	c.cancel()
	c.wg.Wait()
	c.stors.closeAll()
	c.ev.closeAll()
	return nil
}

// logger returns the logger with the client's NID once known.
func (c *Client) logger() *slog.Logger {
	if l := c.nlog.Load(); l != nil {
		return l
	}
	return c.log
}

// URL returns the URL the client was opened with.
func (c *Client) URL() string { return c.url }

// Name is NEO/py's Storage.getName: "NEOStorage(<cluster>)", what
// zodbtools' info prints as name.
func (c *Client) Name() string { return "NEOStorage(" + c.opt.Cluster + ")" }

// Size is ZODB's BaseStorage estimate NEO/py inherits: 300 bytes per
// oid given out (NEO keeps no size).
func (c *Client) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(c.mu.lastOid) * 300
}

// Head returns the last transaction the client knows of.
func (c *Client) Head() zodb.Tid { return c.cache.head() }

// ready returns the view once the client is connected and the partition
// table operational, or an error when ctx ends, the client is closed or
// the cluster refused it.
func (c *Client) ready(ctx context.Context) (*view, error) {
	for {
		v := c.view.Load()
		if v.master != nil && v.pt != nil {
			return v, nil
		}
		c.mu.Lock()
		fatal, ch := c.mu.fatal, c.mu.changed
		c.mu.Unlock()
		if fatal != nil {
			return nil, fatal
		}
		if v = c.view.Load(); v.master != nil && v.pt != nil {
			return v, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("neo: waiting for the cluster: %w", ctx.Err())
		case <-c.ctx.Done():
			return nil, ErrClosed
		}
	}
}

// changedLocked wakes everyone waiting for a change and publishes a new
// view. REQUIRES: mu held.
func (c *Client) changedLocked() {
	v := &view{nid: c.mu.nid, nodes: map[proto.NID]proto.NodeInfo{}}
	if conn := c.mu.conn; conn != nil && conn.ready {
		v.master = conn
	}
	if c.mu.pt != nil {
		v.pt = c.mu.pt.Clone()
	}
	for _, n := range c.mu.nodes.List(nil) {
		v.nodes[n.NID] = n
	}
	c.view.Store(v)
	c.wakeLocked()
}

// wakeLocked wakes everyone waiting for a change. REQUIRES: mu held.
func (c *Client) wakeLocked() {
	close(c.mu.changed)
	c.mu.changed = make(chan struct{})
}

// opError wraps err as the zodb.OpError of op.
func (c *Client) opError(op string, args any, err error) error {
	return &zodb.OpError{URL: c.url, Op: op, Args: args, Err: err}
}
