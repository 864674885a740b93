package master

import (
	"sort"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// packManager keeps the pack orders (NEO/py's PackManager): a pack is a
// transaction carrying an order; the master approves it (automatically,
// when no other order waits for a decision), storages ask the orders,
// pack, and report NotifyPackCompleted; WaitForPack waits for that.
// Unlike NEO/py, orders older than the last pack completed are not asked
// back to the storages: the master answers from what it keeps.
type packManager struct {
	packs           map[zodb.Tid]*packOrder
	maxCompleted    zodb.Tid
	hasMaxCompleted bool
}

type packOrder struct {
	proto.PackOrder
	waiting []packWaiter
}

type packWaiter struct {
	p   *peer
	req link.Request
}

func (pm *packManager) reset() { *pm = packManager{packs: map[zodb.Tid]*packOrder{}} }

// add records an order a storage knows (verification).
func (pm *packManager) add(o proto.PackOrder) {
	if p := pm.packs[o.ID]; p != nil {
		if p.Approved == proto.Undecided {
			p.Approved = o.Approved
		}
		return
	}
	pm.packs[o.ID] = &packOrder{PackOrder: o}
	if pm.hasMaxCompleted && pm.maxCompleted > o.ID {
		pm.maxCompleted = o.ID - 1
	}
}

// newPack records the order a commit carries and reports whether it is
// approved at once.
func (pm *packManager) newPack(tid zodb.Tid, info *proto.PackInfo) bool {
	auto := true
	for _, p := range pm.packs {
		if p.Approved == proto.Undecided {
			auto = false
		}
	}
	o := proto.PackOrder{ID: tid, PackOrderInfo: proto.PackOrderInfo{Approved: proto.Undecided, Partial: info.Oids != nil, Oids: info.Oids, PackTid: info.Tid}}
	if auto {
		o.Approved = proto.Approved
	}
	pm.packs[tid] = &packOrder{PackOrder: o}
	return auto
}

// dump returns the orders from packID on, or only the first approved one.
func (pm *packManager) dump(packID zodb.Tid, onlyFirstApproved bool) []proto.PackOrder {
	var l []proto.PackOrder
	for _, p := range pm.packs {
		if p.ID >= packID && (!onlyFirstApproved || p.Approved == proto.Approved) {
			l = append(l, p.PackOrder)
		}
	}
	sort.Slice(l, func(i, j int) bool { return l[i].ID < l[j].ID })
	if onlyFirstApproved && len(l) > 1 {
		l = l[:1]
	}
	if l == nil {
		l = []proto.PackOrder{}
	}
	return l
}

// approvedRejected lists the decided orders for NotifyPackSigned.
func (pm *packManager) approvedRejected() (approved, rejected []zodb.Tid) {
	approved, rejected = []zodb.Tid{}, []zodb.Tid{}
	if pm.hasMaxCompleted {
		approved = append(approved, pm.maxCompleted)
	}
	for tid, p := range pm.packs {
		switch p.Approved {
		case proto.Approved:
			approved = append(approved, tid)
		case proto.Rejected:
			rejected = append(rejected, tid)
		}
	}
	return approved, rejected
}

// completed drops the orders up to packID and wakes their waiters.
func (m *Master) packCompleted(packID zodb.Tid) {
	pm := &m.pm
	for tid, p := range pm.packs {
		if tid > packID {
			continue
		}
		delete(pm.packs, tid)
		for _, w := range p.waiting {
			if !w.p.closed {
				m.answer(w.p, w.req, &proto.NoArgs{PacketCode: proto.CodeWaitedForPack})
			}
		}
		if !pm.hasMaxCompleted || pm.maxCompleted < tid {
			pm.maxCompleted, pm.hasMaxCompleted = tid, true
		}
	}
}

// updateCompletedPack: a pack is completed when every storage with
// readable cells completed it.
func (m *Master) updateCompletedPack() {
	first := true
	var min zodb.Tid
	for _, n := range m.pt.nodeSet(true) {
		if n.hasCompletedPack && (first || n.completedPack < min) {
			min, first = n.completedPack, false
		}
	}
	if !first {
		m.packCompleted(min)
	}
}

func (m *Master) waitForPack(p *peer, req link.Request, tid zodb.Tid) {
	if o := m.pm.packs[tid]; o != nil {
		o.waiting = append(o.waiting, packWaiter{p, req})
		return
	}
	m.answer(p, req, &proto.NoArgs{PacketCode: proto.CodeWaitedForPack})
}
