package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// Config is a storage node's configuration: NEO/py's neostorage options.
type Config struct {
	cluster.Config
	// Adapter is the database adapter (-a): "SQLite".
	Adapter string
	// Database is the database (-d): the SQLite file's path.
	Database string
	// Reset erases the database (--reset); the node does not listen and
	// Run returns at once, as NEO/py's storage exits after a reset.
	Reset bool
	// Dedup enables deduplication of data (--dedup) in a new database.
	Dedup bool
	// Backend, when set, is the database to serve instead of opening
	// Adapter/Database (the node closes it).
	Backend backend.Backend
}

// Opener opens a storage database for an adapter.
type Opener func(path string, reset, dedup bool) (backend.Backend, error)

var (
	adaptersMu sync.Mutex
	adapters   = map[string]Opener{}
)

// RegisterAdapter makes the adapter name (as -a takes it) open
// databases with open.
func RegisterAdapter(name string, open Opener) {
	adaptersMu.Lock()
	defer adaptersMu.Unlock()
	adapters[name] = open
}

// Storage is a running storage node.
type Storage struct {
	cfg  Config
	log  *slog.Logger
	db   backend.Backend
	ln   net.Listener
	addr *proto.Address // our listening address, sent to the master

	// mu is the node lock (see doc.go).
	mu struct {
		sync.Mutex
		log   *slog.Logger // with nid once known
		nid   proto.NID
		pt    *cluster.PartitionTable
		nodes *cluster.NodeTable
		// nodesChanged is closed and replaced on every node
		// information from the master (identifications wait on it).
		nodesChanged chan struct{}
		operational  bool
		state        proto.ClusterState
		tm           *txnManager
		cache        *objCache
		repl         *replicator // while operational
		lastPack     zodb.Tid    // the last pack order approved
		master       *link.Link
		peers        map[*link.Link]*peer
		// masterErr is why we closed the master link ourselves.
		masterErr error
		// fatal is the error that stopped the node (a database failure).
		fatal error
	}
	// quit is closed when the node must stop.
	quit     chan struct{}
	quitOnce sync.Once
	wg       sync.WaitGroup // accepted connections
}

// peer is a client or storage connected to us.
type peer struct {
	l   *link.Link
	nid proto.NID
	typ proto.NodeType
}

// New opens the database, checks its cluster name and listens on
// cfg.Bind.
func New(cfg Config) (*Storage, error) {
	if cfg.Cluster == "" {
		return nil, errors.New("storage: no cluster name")
	}
	if len(cfg.Masters) == 0 {
		return nil, errors.New("storage: no master address")
	}
	db := cfg.Backend
	if db == nil {
		if cfg.Database == "" {
			return nil, errors.New("storage: no database (-d)")
		}
		adapter := cfg.Adapter
		if adapter == "" {
			adapter = "SQLite"
		}
		adaptersMu.Lock()
		open := adapters[adapter]
		adaptersMu.Unlock()
		if open == nil {
			return nil, fmt.Errorf("storage: unknown database adapter %q (want SQLite)", adapter)
		}
		var err error
		db, err = open(cfg.Database, cfg.Reset, cfg.Dedup)
		if err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	s := &Storage{cfg: cfg, db: db, quit: make(chan struct{})}
	s.log = cfg.Log().With("node", "storage")
	if err := s.loadConfig(); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.Reset {
		// NEO/py's storage erases and exits without listening.
		return s, nil
	}
	ln, addr, err := cluster.Listen(cfg.Bind)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: listen: %w", err)
	}
	s.ln, s.addr = ln, addr
	return s, nil
}

// loadConfig checks the database's cluster name (setting it on a new
// database) and reads our NID and partition table.
func (s *Storage) loadConfig() error {
	name, err := s.db.Name()
	if err != nil {
		return fmt.Errorf("storage: %s: %w", s.cfg.Database, err)
	}
	switch {
	case name == "":
		if err := s.db.SetName(s.cfg.Cluster); err != nil {
			return fmt.Errorf("storage: %s: set name: %w", s.cfg.Database, err)
		}
		if err := s.db.Commit(); err != nil {
			return fmt.Errorf("storage: %s: %w", s.cfg.Database, err)
		}
	case name != s.cfg.Cluster:
		return fmt.Errorf("storage: %s: database of cluster %q, not %q", s.cfg.Database, name, s.cfg.Cluster)
	}
	nid, err := s.db.NID()
	if err != nil {
		return fmt.Errorf("storage: %s: %w", s.cfg.Database, err)
	}
	s.mu.nid = nid
	s.mu.log = s.log
	if nid != proto.NoNID {
		s.mu.log = s.log.With("nid", nid.String())
	}
	s.mu.nodes = cluster.NewNodeTable()
	s.mu.nodesChanged = make(chan struct{})
	s.mu.peers = map[*link.Link]*peer{}
	s.mu.cache = newObjCache(cacheMax)
	return s.loadPartitionTable()
}

// loadPartitionTable reads the table saved in the database (NEO/py's
// loadPartitionTable): an empty one when none.
// REQUIRES: mu held, or not running yet.
func (s *Storage) loadPartitionTable() error {
	bpt, err := s.db.PartitionTable()
	if err != nil {
		return fmt.Errorf("storage: %s: partition table: %w", s.cfg.Database, err)
	}
	if bpt == nil || bpt.PTid == proto.NoPTid {
		s.mu.pt = cluster.NewPartitionTable(0, 0)
		return nil
	}
	np := bpt.NumPartitions
	for _, c := range bpt.Cells {
		if c.Partition >= np {
			np = c.Partition + 1
		}
	}
	pt := cluster.NewPartitionTable(np, bpt.NumReplicas)
	pt.PTid = bpt.PTid
	cells := append([]backend.Cell(nil), bpt.Cells...)
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Partition < cells[j].Partition })
	for _, c := range cells {
		pt.Rows[c.Partition] = append(pt.Rows[c.Partition], proto.CellInfo{NID: c.NID, State: c.State})
	}
	s.mu.pt = pt
	return nil
}

// Addr is the listening address, host:port ("" with Reset, which does not
// listen).
func (s *Storage) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Run serves until ctx ends or the cluster stops this node; it closes the
// listener and the database before returning.
func (s *Storage) Run(ctx context.Context) error {
	defer s.db.Close()
	if s.cfg.Reset {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
		case <-s.quit:
		}
		s.ln.Close()
	}()
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		s.acceptLoop()
	}()
	err := s.masterLoop(ctx)
	s.stop()
	cancel()
	<-acceptDone
	s.closePeers()
	s.wg.Wait()
	s.mu.Lock()
	if s.mu.tm != nil {
		s.mu.tm.queue.clear()
		s.mu.tm.readQueue.clear()
		s.mu.tm = nil
	}
	if s.mu.fatal != nil && err == nil {
		err = fmt.Errorf("storage: %w", s.mu.fatal)
	}
	s.mu.Unlock()
	return err
}

// stop makes Run return.
func (s *Storage) stop() { s.quitOnce.Do(func() { close(s.quit) }) }

// closePeers closes every client and storage connection.
func (s *Storage) closePeers() {
	s.mu.Lock()
	peers := s.mu.peers
	s.mu.peers = map[*link.Link]*peer{}
	s.mu.Unlock()
	for l := range peers {
		l.Close()
	}
}

// logger returns the node's logger (with its NID once known).
func (s *Storage) logger() *slog.Logger {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.log
}

// partition helpers for the transaction manager.
// REQUIRES: mu held.

func (s *Storage) oidPartition(oid zodb.Oid) uint32 {
	if s.mu.pt.NumPartitions() == 0 {
		return 0
	}
	return s.mu.pt.OidPartition(oid)
}

func (s *Storage) readableLocked(p uint32) bool {
	if p >= s.mu.pt.NumPartitions() {
		return false
	}
	c, ok := s.mu.pt.Cell(p, s.mu.nid)
	return ok && cluster.Readable(c.State)
}

func (s *Storage) assignedLocked(p uint32) bool {
	if p >= s.mu.pt.NumPartitions() {
		return false
	}
	_, ok := s.mu.pt.Cell(p, s.mu.nid)
	return ok
}

// newTM makes the transaction manager of an operation period.
// REQUIRES: mu held.
func (s *Storage) newTM() *txnManager {
	tm := newTxnManager(s.db, s.mu.log)
	tm.partition = s.oidPartition
	tm.readable = s.readableLocked
	tm.assigned = s.assignedLocked
	tm.committed = s.mu.cache.invalidate
	tm.replicating = s.replicatingLocked
	tm.ended = s.checkReplicatedLocked
	tm.notifyDeadlock = func(owner *peer, ttid zodb.Tid, oid zodb.Oid) {
		if owner != nil {
			owner.l.Notify(&proto.TidOid{PacketCode: proto.CodeNotifyDeadlock, TTid: ttid, Oid: oid})
		}
	}
	return tm
}
