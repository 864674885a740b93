package proto

import (
	"fmt"
	"math"

	"github.com/zodbneo/zodbneo/zodb"
)

// Optional values: NEO sends nil for a missing tid, oid, NID, ptid or
// timestamp. The Go structs hold a sentinel that encodes to nil instead of
// a pointer, so packets allocate little.
const (
	// NoTid is a nil tid on the wire (no real tid reaches 2^64-1: NEO's
	// MAX_TID is 0x7fff...ff).
	NoTid = zodb.Tid(math.MaxUint64)
	// NoOid is a nil oid on the wire.
	NoOid = zodb.Oid(math.MaxUint64)
	// NoNID is a nil NID on the wire; 0 is never allocated (NIDs of every
	// namespace start at 1).
	NoNID NID = 0
	// NoPTid is a nil partition table id (ptids start at 1).
	NoPTid PTid = 0
)

// NoTime is a nil timestamp on the wire (a NaN: IsNoTime tells).
var NoTime = math.NaN()

// IsNoTime reports whether t stands for a nil timestamp.
func IsNoTime(t float64) bool { return math.IsNaN(t) }

// NID identifies a node: (namespace << 24) + n, namespace by node type.
type NID int32

// String returns NEO/py's uuid_str form: S1, M1, C1, A1.
func (n NID) String() string {
	if n == NoNID {
		return "None"
	}
	var c byte
	switch uint32(n) >> 24 {
	case 0x00:
		c = 'S'
	case 0xf0:
		c = 'M'
	case 0xe0:
		c = 'C'
	case 0xd0:
		c = 'A'
	default:
		return fmt.Sprintf("NID(%d)", int32(n))
	}
	return fmt.Sprintf("%c%d", c, uint32(n)&0xffffff)
}

// PTid is the version of the partition table.
type PTid uint64

// Address is a node's listening address, [host: bin, port: int] on the
// wire.
type Address struct {
	Host string
	Port uint16
}

func (a *Address) String() string {
	if a == nil {
		return "None"
	}
	return fmt.Sprintf("%s:%d", a.Host, a.Port)
}

// NodeInfo is one entry of a node list: [node_type, address|nil, nid,
// node_state, id_timestamp|nil].
type NodeInfo struct {
	Type        NodeType
	Addr        *Address
	NID         NID
	State       NodeState
	IDTimestamp float64 // NoTime for nil
}

// CellInfo is one cell of a partition table row: [nid, cell_state].
type CellInfo struct {
	NID   NID
	State CellState
}

// CellChange is one cell of NotifyPartitionChanges: [partition, nid,
// cell_state].
type CellChange struct {
	Partition uint32
	NID       NID
	State     CellState
}

// PackInfo is the optional pack order of a commit: nil or [oids|nil,
// pack_tid] on the wire; Oids is nil for a nil list (a full pack).
type PackInfo struct {
	Oids []zodb.Oid
	Tid  zodb.Tid
}

// HistoryEntry is one revision in AnswerObjectHistory: [serial, size].
type HistoryEntry struct {
	Serial zodb.Tid
	Size   int64
}

// encoding of the common types

func appendTid(b []byte, t zodb.Tid) []byte {
	if t == NoTid {
		return appendNil(b)
	}
	return appendU64(b, uint64(t))
}

func appendOid(b []byte, o zodb.Oid) []byte {
	if o == NoOid {
		return appendNil(b)
	}
	return appendU64(b, uint64(o))
}

func appendNID(b []byte, n NID) []byte {
	if n == NoNID {
		return appendNil(b)
	}
	return appendInt(b, int64(n))
}

func appendPTid(b []byte, p PTid) []byte {
	if p == NoPTid {
		return appendNil(b)
	}
	return appendUint(b, uint64(p))
}

func appendTime(b []byte, t float64) []byte {
	if IsNoTime(t) {
		return appendNil(b)
	}
	return appendFloat(b, t)
}

func appendAddr(b []byte, a *Address) []byte {
	if a == nil {
		return appendNil(b)
	}
	b = appendArray(b, 2)
	b = appendBin(b, []byte(a.Host))
	return appendUint(b, uint64(a.Port))
}

func appendTids(b []byte, l []zodb.Tid) []byte {
	b = appendArray(b, len(l))
	for _, t := range l {
		b = appendU64(b, uint64(t))
	}
	return b
}

func appendOids(b []byte, l []zodb.Oid) []byte {
	b = appendArray(b, len(l))
	for _, o := range l {
		b = appendU64(b, uint64(o))
	}
	return b
}

func appendU32s(b []byte, l []uint32) []byte {
	b = appendArray(b, len(l))
	for _, v := range l {
		b = appendUint(b, uint64(v))
	}
	return b
}

func appendNIDs(b []byte, l []NID) []byte {
	b = appendArray(b, len(l))
	for _, n := range l {
		b = appendInt(b, int64(n))
	}
	return b
}

func appendNodes(b []byte, l []NodeInfo) []byte {
	b = appendArray(b, len(l))
	for _, n := range l {
		b = appendArray(b, 5)
		b = appendEnum(b, extNodeType, byte(n.Type))
		b = appendAddr(b, n.Addr)
		b = appendNID(b, n.NID)
		b = appendEnum(b, extNodeState, byte(n.State))
		b = appendTime(b, n.IDTimestamp)
	}
	return b
}

func appendRows(b []byte, rows [][]CellInfo) []byte {
	b = appendArray(b, len(rows))
	for _, r := range rows {
		b = appendArray(b, len(r))
		for _, c := range r {
			b = appendArray(b, 2)
			b = appendNID(b, c.NID)
			b = appendEnum(b, extCellState, byte(c.State))
		}
	}
	return b
}

func appendPack(b []byte, p *PackInfo) []byte {
	if p == nil {
		return appendNil(b)
	}
	b = appendArray(b, 2)
	if p.Oids == nil {
		b = appendNil(b)
	} else {
		b = appendOids(b, p.Oids)
	}
	return appendTid(b, p.Tid)
}

// decoding of the common types

func (d *dec) tid() zodb.Tid { return zodb.Tid(d.u64()) }
func (d *dec) oid() zodb.Oid { return zodb.Oid(d.u64()) }

func (d *dec) nid() NID {
	if d.peekNil() {
		return NoNID
	}
	return NID(d.intRange(math.MinInt32, math.MaxInt32, "nid"))
}

func (d *dec) ptid() PTid {
	if d.peekNil() {
		return NoPTid
	}
	return PTid(d.intRange(1, math.MaxInt64, "ptid"))
}

func (d *dec) time() float64 {
	if d.peekNil() {
		return NoTime
	}
	return d.float()
}

func (d *dec) str() string { return string(d.bin()) }

func (d *dec) addr() *Address {
	if d.peekNil() {
		return nil
	}
	if d.arrayLen() != 2 {
		d.fail("address is not a pair")
		return nil
	}
	host := d.str()
	port := d.intRange(0, math.MaxUint16, "port")
	if d.err != nil {
		return nil
	}
	return &Address{Host: host, Port: uint16(port)}
}

func (d *dec) tids() []zodb.Tid {
	n := d.arrayLen()
	l := make([]zodb.Tid, n)
	for i := range l {
		l[i] = zodb.Tid(d.u64())
	}
	return l
}

func (d *dec) oids() []zodb.Oid {
	n := d.arrayLen()
	l := make([]zodb.Oid, n)
	for i := range l {
		l[i] = zodb.Oid(d.u64())
	}
	return l
}

func (d *dec) u32s(what string) []uint32 {
	n := d.arrayLen()
	l := make([]uint32, n)
	for i := range l {
		l[i] = d.u32(what)
	}
	return l
}

func (d *dec) nids() []NID {
	n := d.arrayLen()
	l := make([]NID, n)
	for i := range l {
		l[i] = NID(d.intRange(math.MinInt32, math.MaxInt32, "nid"))
	}
	return l
}

func (d *dec) nodes() []NodeInfo {
	n := d.arrayLen()
	l := make([]NodeInfo, n)
	for i := range l {
		if d.arrayLen() != 5 {
			d.fail("node is not a 5-item array")
			return nil
		}
		l[i] = NodeInfo{Type: d.nodeType(), Addr: d.addr(), NID: d.nid(), State: d.nodeState(), IDTimestamp: d.time()}
	}
	return l
}

func (d *dec) rows() [][]CellInfo {
	n := d.arrayLen()
	rows := make([][]CellInfo, n)
	for i := range rows {
		k := d.arrayLen()
		r := make([]CellInfo, k)
		for j := range r {
			if d.arrayLen() != 2 {
				d.fail("cell is not a pair")
				return nil
			}
			r[j] = CellInfo{NID: d.nid(), State: d.cellState()}
		}
		rows[i] = r
	}
	return rows
}

func (d *dec) pack() *PackInfo {
	if d.peekNil() {
		return nil
	}
	if d.arrayLen() != 2 {
		d.fail("pack is not a pair")
		return nil
	}
	p := &PackInfo{}
	if !d.peekNil() {
		p.Oids = d.oids()
	}
	p.Tid = d.tid()
	return p
}

// decArgs starts decoding an argument array of n items.
func decArgs(args []byte, n int) dec {
	d := dec{b: args}
	if k := d.arrayLen(); d.err == nil && k != n {
		d.fail("%d arguments, want %d", k, n)
	}
	return d
}

// Special values of NEO/py's protocol.py.
const (
	// MaxTid is the largest tid NEO stores (SQL's signed 64-bit limit):
	// AnswerLastIDs' first tid on an empty database, AnswerFinalTID's
	// "committed, ask the storages".
	MaxTid = zodb.Tid(0x7fffffffffffffff)
	// InvalidPartition in AskTIDs means every readable partition.
	InvalidPartition uint32 = 0xffffffff
)
