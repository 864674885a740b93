package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// Config is the master's configuration: NEO/py's neomaster options.
type Config struct {
	cluster.Config
	// Autostart (-A) starts a new cluster as soon as this many storages
	// are pending; 0 waits for `neoctl start` (SetClusterState VERIFYING).
	Autostart int
	// Partitions (-p) and Replicas (-r) shape a new partition table;
	// Partitions 0 means NEO/py's default, 100.
	Partitions uint32
	Replicas   uint32
}

// DefaultPartitions is NEO/py's default number of partitions.
const DefaultPartitions = 100

// Master is a master node: primary, or secondary of another master (see
// election.go). Addr may be called at any time; Run once.
type Master struct {
	cfg  Config
	log  *slog.Logger
	ln   net.Listener
	self *node

	events chan func()
	quit   chan struct{} // closed when Run returns
	wg     sync.WaitGroup
	ctx    context.Context // Run's; Asks' answers wait on it

	// Everything below is owned by the loop goroutine.
	clock  monotonicClock
	nodes  nodeTable
	peers  map[*peer]bool
	pt     *ptable
	state  proto.ClusterState
	hasSt  bool // state is set
	phase  phase
	rec    *recovery
	ver    *verification
	tm     *txnManager
	pm     packManager
	exit   bool // leave the loop
	stopOp bool // the cluster is no longer operational (StoppedOperation)
	// truncate is the tid to truncate the database after (neoctl
	// truncate), NoTid when none: stopTruncate for the StoppedOperation
	// to come, truncateTid for the recovery it starts.
	stopTruncate, truncateTid zodb.Tid
	fatal                     error // why Run fails

	second      *secondary // playing the secondary role
	primaryTime float64    // when the primary role began: the election key

	startupAllowed   bool
	lastTransaction  zodb.Tid
	storageReadiness int
	storageReady     map[proto.NID]int
	storageStarting  map[proto.NID]bool
	stopping         bool // STOPPING: no new transaction may begin
}

type phase int

const (
	phaseRecovery phase = iota
	phaseVerification
	phaseService
)

// peer is one accepted connection.
type peer struct {
	l       *link.Link
	node    *node // once identified
	closed  bool
	dead    bool      // its link is down, connectionLost is to come
	pending int       // requests sent, not answered yet (NEO/py's isPending)
	out     *outQueue // what to send, in order (sender.go)
}

// New checks cfg and listens on cfg.Bind (127.0.0.1:0 when empty). It
// fails on a missing cluster name, a bad partition count or master
// address, or when it cannot listen; nothing is left open then.
func New(cfg Config) (*Master, error) {
	if cfg.Cluster == "" {
		return nil, errors.New("master: no cluster name")
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultPartitions
	}
	if cfg.Partitions > 1<<24 {
		return nil, fmt.Errorf("master: %d partitions: too many", cfg.Partitions)
	}
	if cfg.Autostart < 0 {
		return nil, fmt.Errorf("master: autostart %d < 0", cfg.Autostart)
	}
	ln, self, err := cluster.Listen(cfg.Bind)
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	m := &Master{
		cfg:    cfg,
		ln:     ln,
		events: make(chan func(), 256),
		quit:   make(chan struct{}),
		peers:  map[*peer]bool{},
		tm:     newTxnManager(),
		pm:     packManager{packs: map[zodb.Tid]*packOrder{}},

		stopTruncate:    proto.NoTid,
		truncateTid:     proto.NoTid,
		storageReady:    map[proto.NID]int{},
		storageStarting: map[proto.NID]bool{},
	}
	m.self = &node{typ: proto.Master, addr: self, nid: mustNID(proto.Master, 1), state: proto.NodeRunning, idTime: proto.NoTime}
	m.nodes.add(m.self)
	for _, a := range cfg.Masters {
		addr, err := parseAddr(a)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("master: masters: %w", err)
		}
		if *addr == *m.self.addr || m.nodes.byAddr(addr) != nil {
			continue
		}
		m.nodes.add(&node{typ: proto.Master, addr: addr, state: proto.NodeDown, idTime: proto.NoTime})
	}
	m.log = cfg.Log().With("node", "master", "nid", m.self.nid.String())
	return m, nil
}

func mustNID(t proto.NodeType, n uint32) proto.NID {
	nid, err := link.MakeNID(t, n)
	if err != nil {
		panic(err) // only called with valid constants
	}
	return nid
}

func parseAddr(s string) (*proto.Address, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return nil, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("bad port in %q", s)
	}
	return &proto.Address{Host: host, Port: uint16(p)}, nil
}

// Addr is the address the master listens on.
func (m *Master) Addr() string { return m.ln.Addr().String() }

// Run serves until ctx ends or the cluster is stopped (SetClusterState
// STOPPING from an admin, or the primary telling a secondary): it then
// returns nil, after the last packets (the storages' DOWN) were written
// (up to a second). A fatal error (a partition table that cannot be made)
// is returned. The listener and every connection are closed, and every
// goroutine ended, when it returns.
func (m *Master) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	m.ctx = ctx
	defer func() {
		m.ln.Close()
		if ctx.Err() == nil {
			m.flushAll()
		}
		cancel()
		for p := range m.peers {
			p.l.Close()
		}
		close(m.quit)
		m.wg.Wait()
	}()
	m.wg.Add(1)
	go m.acceptLoop()
	m.log.Info("master started", "addr", m.Addr(), "cluster", m.cfg.Cluster, "partitions", m.cfg.Partitions, "replicas", m.cfg.Replicas)
	m.playPrimary()
	for !m.exit {
		select {
		case f := <-m.events:
			f()
			m.progress()
		case <-ctx.Done():
			m.log.Info("master: context done, exiting")
			return nil
		}
	}
	return m.fatal
}

// post runs f on the loop; it is dropped once Run returned.
func (m *Master) post(f func()) {
	select {
	case m.events <- f:
	case <-m.quit:
	}
}

func (m *Master) acceptLoop() {
	defer m.wg.Done()
	for {
		conn, err := m.ln.Accept()
		if err != nil {
			return
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.serveConn(conn)
		}()
	}
}

// serveConn does the handshake and hands the link to the loop.
func (m *Master) serveConn(conn net.Conn) {
	p := &peer{}
	// A peer silent during the handshake must not hold Run's return.
	hs := make(chan struct{})
	defer close(hs)
	go func() {
		select {
		case <-m.quit:
			conn.Close()
		case <-hs:
		}
	}()
	l, err := link.NewLink(conn, link.Options{
		Ordered: true,
		// An answer is handled after the packets that came before it
		// (e.g. NotifyPackCompleted before AnswerLastIDs).
		OrderedAnswers: true,
		TLS:            m.cfg.TLS,
		Handler: link.HandlerFunc(func(l *link.Link, req link.Request) {
			m.post(func() {
				// The first packet may come before the post below.
				m.startSender(p, l)
				m.dispatch(p, req)
			})
		}),
		HandshakeTimeout: handshakeTimeout,
	})
	if err != nil {
		m.log.Debug("master: connection refused", "peer", conn.RemoteAddr(), "err", err)
		return
	}
	m.post(func() {
		m.startSender(p, l)
		m.peers[p] = true
	})
	select {
	case <-l.HandlerDone():
		m.post(func() { m.connectionLost(p) })
	case <-m.quit:
		l.Close()
	}
}

// progress runs what NEO/py's managers check after each poll.
func (m *Master) progress() {
	for !m.exit {
		switch {
		case m.stopOp:
			m.stopOp = false
			truncate := m.stopTruncate
			m.stopTruncate = proto.NoTid
			m.stoppedOperation(truncate)
		case m.stopping:
			if m.tm.hasPending() {
				return
			}
			m.shutdown()
			return
		case m.second != nil:
			return
		case m.phase == phaseRecovery:
			if !m.rec.check() {
				return
			}
		case m.phase == phaseVerification && m.ver != nil:
			m.ver.maybeNext()
			return
		default:
			return
		}
	}
}

// send sends a notification or an answer-less packet to n (if
// connected); errors surface as the link going down.
func (m *Master) send(n *node, msg proto.Msg) {
	if n.peer != nil {
		m.logSend(n.peer, msg)
		n.peer.out.push(outItem{msg: msg})
	}
}

// ask sends req to n and runs onAnswer on the loop with the answer;
// nothing runs if the link goes down first (connectionLost handles it).
func (m *Master) ask(n *node, req proto.Msg, onAnswer func(proto.Msg)) {
	p := n.peer
	if p == nil {
		return
	}
	m.logSend(p, req)
	p.pending++
	p.out.push(outItem{msg: req, onAnswer: onAnswer})
}

func (m *Master) answer(p *peer, req link.Request, msg proto.Msg) {
	m.logSend(p, msg)
	p.out.push(outItem{msg: msg, req: &req})
}

func (m *Master) answerError(p *peer, req link.Request, code proto.ErrorCode, text string) {
	m.answer(p, req, &proto.Error{ErrCode: code, Message: text})
}

// logSend logs a packet sent, at debug level (NEO/py's packet log).
func (m *Master) logSend(p *peer, msg proto.Msg) {
	if m.log.Enabled(context.Background(), slog.LevelDebug) {
		m.log.Debug("send", "peer", peerName(p), "packet", codeName(msg), "args", proto.Format(msg))
	}
}

// protocolError answers req with PROTOCOL_ERROR and closes, as NEO/py
// does when a handler raises ProtocolError.
func (m *Master) protocolError(p *peer, req link.Request, text string) {
	m.log.Error("master: protocol error", "peer", p.l.RemoteAddr(), "packet", proto.Format(req.Msg), "err", text)
	m.answerError(p, req, proto.ProtocolError, text)
	m.abort(p)
}

// abort closes p; its connectionLost runs when the link is down.
// abort closes p once what is queued for it was sent (NEO/py's abort);
// its connectionLost runs when the link is down.
func (m *Master) abort(p *peer) { p.out.push(outItem{close: true}) }

// nodeInfo returns the node list to send to a node of type typ among
// nodes: admins hear of no admins, clients of no clients (NEO/py's
// getNodeInformationGetter; backup clusters' admins are not supported).
func nodeListFor(typ proto.NodeType, nodes []*node) []proto.NodeInfo {
	var out []proto.NodeInfo
	for _, n := range nodes {
		if n.typ == proto.Admin {
			continue
		}
		switch typ {
		case proto.Admin, proto.Storage:
		case proto.Client:
			if n.typ == proto.Client {
				continue
			}
		case proto.Master:
			if n.typ != proto.Master {
				continue
			}
		}
		out = append(out, n.info())
	}
	return out
}

// broadcastNodes tells every identified node of the changes of nodes.
func (m *Master) broadcastNodes(nodes []*node) {
	if len(nodes) == 0 {
		return
	}
	now := m.clock.now()
	for _, n := range m.nodes.identifiedList() {
		if l := nodeListFor(n.typ, nodes); len(l) > 0 {
			m.send(n, &proto.NotifyNodeInformation{Timestamp: now, Nodes: l})
		}
	}
}

// notifyNodeInformation sends a newly identified node its own entry (for
// its id_timestamp) and the nodes it must know.
func (m *Master) notifyNodeInformation(n *node) {
	others := make([]*node, 0, len(m.nodes.list))
	for _, x := range m.nodes.list {
		if x != n {
			others = append(others, x)
		}
	}
	l := append([]proto.NodeInfo{n.info()}, nodeListFor(n.typ, others)...)
	m.send(n, &proto.NotifyNodeInformation{Timestamp: m.clock.now(), Nodes: l})
}

// broadcastPartitionChanges bumps the ptid and tells every identified
// non-master node; nr, when not nil, changes the number of replicas.
func (m *Master) broadcastPartitionChanges(changes []proto.CellChange, nr *int) {
	if nr != nil {
		m.pt.nr = *nr
	} else if len(changes) == 0 {
		return
	}
	m.pt.id++
	msg := &proto.NotifyPartitionChanges{PTid: m.pt.id, NumReplicas: uint32(m.pt.nr), Cells: changes}
	if changes == nil {
		msg.Cells = []proto.CellChange{}
	}
	for _, n := range m.nodes.identifiedList() {
		if n.typ != proto.Master {
			m.send(n, msg)
		}
	}
}

func (m *Master) sendPartitionTable(n *node) {
	m.send(n, &proto.PartitionTable{PacketCode: proto.CodeSendPartitionTable, PTid: m.pt.id, NumReplicas: uint32(m.pt.nr), Rows: m.pt.rowList()})
}

// changeClusterState tells every identified node and switches storages to
// the handler of the new phase (handlerSwitched).
func (m *Master) changeClusterState(s proto.ClusterState) {
	if m.hasSt && m.state == s {
		return
	}
	m.state, m.hasSt = s, true
	m.log.Info("cluster state", "state", s)
	msg := &proto.ClusterStateMsg{PacketCode: proto.CodeNotifyClusterInformation, State: s}
	for _, n := range m.nodes.identifiedList() {
		m.send(n, msg)
		if n.typ == proto.Storage && s != proto.Stopping {
			m.storageHandlerSwitched(n, false)
		}
	}
}

// storageHandlerSwitched is what a storage gets when it enters the
// current phase: AskRecovery in recovery, the partition table in
// verification, the table (if new) and StartOperation (if RUNNING) in
// service.
func (m *Master) storageHandlerSwitched(n *node, isNew bool) {
	switch m.phase {
	case phaseRecovery:
		m.ask(n, &proto.NoArgs{PacketCode: proto.CodeAskRecovery}, func(a proto.Msg) { m.rec.answerRecovery(n, a) })
	case phaseVerification:
		m.sendPartitionTable(n)
	case phaseService:
		if isNew {
			m.sendPartitionTable(n)
		}
		if n.state == proto.NodeRunning {
			m.startStorage(n)
		}
	}
}

func (m *Master) startStorage(n *node) {
	m.send(n, &proto.StartOperation{Backup: false})
	m.storageStarting[n.nid] = true
}

func (m *Master) setStorageReady(nid proto.NID) {
	if !m.storageStarting[nid] {
		return
	}
	delete(m.storageStarting, nid)
	m.storageReadiness++
	m.storageReady[nid] = m.storageReadiness
	if a, r := m.pm.approvedRejected(); len(a)+len(r) > 0 {
		if n := m.nodes.byNID(nid); n != nil {
			m.send(n, &proto.NotifyPackSigned{Approved: a, Rejected: r})
		}
	}
	m.tm.executeQueued()
}

func (m *Master) setStorageNotReady(nid proto.NID) {
	delete(m.storageStarting, nid)
	delete(m.storageReady, nid)
	m.tm.executeQueued()
}

// storageReadySet returns the storages ready since at most readiness.
func (m *Master) storageReadySet(readiness int) map[proto.NID]bool {
	out := map[proto.NID]bool{}
	for nid, r := range m.storageReady {
		if r <= readiness {
			out[nid] = true
		}
	}
	return out
}

const allReady = int(^uint(0) >> 1)

// notifyTransactionAborted tells the ready storages among nids to drop
// ttid.
func (m *Master) notifyTransactionAborted(ttid zodb.Tid, nids map[proto.NID]bool) {
	ready := m.storageReadySet(allReady)
	for nid := range nids {
		if ready[nid] {
			if n := m.nodes.byNID(nid); n != nil {
				m.send(n, &proto.AbortTransaction{TTid: ttid, NIDs: []proto.NID{}})
			}
		}
	}
}

// connectionLost runs when a peer's link is down.
func (m *Master) connectionLost(p *peer) {
	if p.closed {
		return
	}
	p.closed = true
	delete(m.peers, p)
	n := p.node
	if n == nil || n.peer != p {
		return
	}
	n.peer = nil
	if m.second != nil {
		return // all connections were closed on becoming secondary
	}
	m.log.Info("connection lost", "peer", n.nid, "type", n.typ)
	switch n.typ {
	case proto.Storage:
		m.storageLost(n)
	case proto.Client:
		m.clientLost(n)
	case proto.Admin:
		m.nodes.remove(n)
	case proto.Master:
		n.state = proto.NodeDown
		m.broadcastNodes([]*node{n})
	}
}

// storageLost is NEO/py's connectionLost of the storage handler of the
// current phase.
func (m *Master) storageLost(n *node) {
	if m.phase == phaseRecovery {
		m.rec.storageLost(n)
		return
	}
	if m.phase == phaseVerification {
		m.ver.storageLost(n)
	}
	switch n.state {
	case proto.NodePending:
		// forget it: it must not come back RUNNING
		n.state = proto.NodeUnknown
		m.nodes.remove(n)
	case proto.NodeDown:
		return // already put DOWN by SetNodeState
	default:
		n.state = proto.NodeDown
	}
	m.broadcastNodes([]*node{n})
	if m.truncateTid != proto.NoTid {
		m.stopOp = true
		return
	}
	m.broadcastPartitionChanges(m.pt.outdate(n), nil)
	if !m.pt.operational(nil) {
		m.stopOp = true
		return
	}
	if m.phase == phaseService {
		m.setStorageNotReady(n.nid)
		m.tm.storageLost(m, n.nid)
		m.updateCompletedPack()
	}
}

func (m *Master) clientLost(n *node) {
	for _, a := range m.tm.clientLost(m, n) {
		m.notifyTransactionAborted(a.ttid, a.nids)
	}
	n.state = proto.NodeUnknown
	m.nodes.remove(n)
	m.broadcastNodes([]*node{n})
}

// stoppedOperation is NEO/py's handling of StoppedOperation: the cluster
// cannot serve anymore; storages and clients are told, clients are
// disconnected, running storages become pending, and recovery starts
// again.
func (m *Master) stoppedOperation(truncate zodb.Tid) {
	m.log.Error("master: no longer operational")
	m.storageReadiness = 0
	clear(m.storageReady)
	clear(m.storageStarting)
	var changed []*node
	for _, n := range m.nodes.identifiedList() {
		if n.typ != proto.Storage && n.typ != proto.Client {
			continue
		}
		m.send(n, &proto.NoArgs{PacketCode: proto.CodeStopOperation})
		if n.typ == proto.Client {
			m.abort(n.peer)
			continue
		}
		if truncate != proto.NoTid {
			m.send(n, &proto.TidMsg{PacketCode: proto.CodeTruncate, Tid: truncate})
		}
		if n.state == proto.NodeRunning {
			n.state = proto.NodePending
			changed = append(changed, n)
		}
	}
	m.broadcastNodes(changed)
	// Restart as soon as the storages are back, except to truncate: then
	// every storage must be there.
	m.startupAllowed = m.truncateTid == proto.NoTid && truncate == proto.NoTid
	if m.stopping {
		// Stopping anyway: no transaction can finish now.
		m.tm.reset()
		return
	}
	m.startRecovery()
}

// beginShutdown is SetClusterState(STOPPING): every node is told, no
// transaction may begin, and the master exits once the pending ones are
// finished.
func (m *Master) beginShutdown() {
	m.changeClusterState(proto.Stopping)
	m.stopping = true
}

// shutdown tells storages they are DOWN (so they exit), closes every
// connection and leaves the loop.
func (m *Master) shutdown() {
	m.log.Info("master: asking remaining nodes to shutdown")
	m.ln.Close()
	for _, n := range m.nodes.identifiedList() {
		if n.typ == proto.Storage {
			m.send(n, &proto.NotifyNodeInformation{Timestamp: m.clock.now(), Nodes: []proto.NodeInfo{
				{Type: n.typ, Addr: n.addr, NID: n.nid, State: proto.NodeDown, IDTimestamp: proto.NoTime}}})
		}
		m.abort(n.peer)
	}
	m.exit = true
}
