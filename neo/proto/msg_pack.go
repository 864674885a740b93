package proto

import "github.com/zodbneo/zodbneo/zodb"

// Packets of pack orders.

// Approval is the approved field of a pack order: nil (not decided yet),
// true or false on the wire.
type Approval byte

const (
	Undecided Approval = iota // nil
	Approved                  // true
	Rejected                  // false
)

func (a Approval) String() string {
	return enumName([]string{"None", "True", "False"}, int64(a), "Approval")
}

func appendApproval(b []byte, a Approval) []byte {
	switch a {
	case Approved:
		return appendBool(b, true)
	case Rejected:
		return appendBool(b, false)
	}
	return appendNil(b)
}

func (d *dec) approval() Approval {
	if d.peekNil() {
		return Undecided
	}
	if d.bool() {
		return Approved
	}
	return Rejected
}

// PackOrderInfo is a pack order without its id: [approved, partial,
// oids|nil, pack_tid]. Oids is nil for a nil list.
type PackOrderInfo struct {
	Approved Approval
	Partial  bool
	Oids     []zodb.Oid
	PackTid  zodb.Tid
}

func appendPackOrderInfo(b []byte, p *PackOrderInfo) []byte {
	b = appendBool(appendApproval(b, p.Approved), p.Partial)
	if p.Oids == nil {
		b = appendNil(b)
	} else {
		b = appendOids(b, p.Oids)
	}
	return appendTid(b, p.PackTid)
}

func (d *dec) packOrderInfo(p *PackOrderInfo) {
	p.Approved = d.approval()
	p.Partial = d.bool()
	p.Oids = nil
	if !d.peekNil() {
		p.Oids = d.oids()
	}
	p.PackTid = d.tid()
}

// PackOrder is one entry of AnswerPackOrders: [id, approved, partial,
// oids|nil, pack_tid].
type PackOrder struct {
	ID zodb.Tid
	PackOrderInfo
}

// AnswerPackOrders answers AskPackOrders.
type AnswerPackOrders struct{ Orders []PackOrder }

func (*AnswerPackOrders) Code() uint16 { return CodeAnswerPackOrders }
func (m *AnswerPackOrders) AppendArgs(b []byte) []byte {
	b = appendArray(appendArray(b, 1), len(m.Orders))
	for i := range m.Orders {
		b = appendTid(appendArray(b, 5), m.Orders[i].ID)
		b = appendPackOrderInfo(b, &m.Orders[i].PackOrderInfo)
	}
	return b
}
func (m *AnswerPackOrders) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	n := d.arrayLen()
	m.Orders = make([]PackOrder, n)
	for i := range m.Orders {
		if d.arrayLen() != 5 {
			d.fail("pack order is not a 5-item array")
			break
		}
		m.Orders[i].ID = d.tid()
		d.packOrderInfo(&m.Orders[i].PackOrderInfo)
	}
	return d.end()
}

// NotifyPackSigned tells storages which pack orders were approved or
// rejected.
type NotifyPackSigned struct{ Approved, Rejected []zodb.Tid }

func (*NotifyPackSigned) Code() uint16 { return CodeNotifyPackSigned }
func (m *NotifyPackSigned) AppendArgs(b []byte) []byte {
	return appendTids(appendTids(appendArray(b, 2), m.Approved), m.Rejected)
}
func (m *NotifyPackSigned) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Approved = d.tids()
	m.Rejected = d.tids()
	return d.end()
}

// AddTransaction sends a transaction during replication (with the msg id
// of AskFetchTransactions).
type AddTransaction struct {
	Tid         zodb.Tid
	User        []byte
	Description []byte
	Extension   []byte
	Packed      bool
	TTid        zodb.Tid
	Oids        []zodb.Oid
	Pack        *PackOrderInfo
}

func (*AddTransaction) Code() uint16 { return CodeAddTransaction }
func (m *AddTransaction) AppendArgs(b []byte) []byte {
	b = appendTid(appendArray(b, 8), m.Tid)
	b = appendBin(appendBin(appendBin(b, m.User), m.Description), m.Extension)
	b = appendOids(appendTid(appendBool(b, m.Packed), m.TTid), m.Oids)
	if m.Pack == nil {
		return appendNil(b)
	}
	return appendPackOrderInfo(appendArray(b, 4), m.Pack)
}
func (m *AddTransaction) DecodeArgs(a []byte) error {
	d := decArgs(a, 8)
	m.Tid = d.tid()
	m.User = d.bin()
	m.Description = d.bin()
	m.Extension = d.bin()
	m.Packed = d.bool()
	m.TTid = d.tid()
	m.Oids = d.oids()
	m.Pack = nil
	if !d.peekNil() {
		if d.arrayLen() != 4 {
			d.fail("pack is not a 4-item array")
		} else {
			m.Pack = &PackOrderInfo{}
			d.packOrderInfo(m.Pack)
		}
	}
	return d.end()
}
