package proto

import "github.com/zodbneo/zodbneo/zodb"

// Packets of transactions (commit, invalidation, information).

// TidMsg is any packet whose only argument is a tid or nil: its code
// tells which (AskBeginTransaction, AnswerBeginTransaction, AskFinalTID,
// AnswerFinalTID, AnswerInformationLocked, NotifyUnlockInformation,
// AskVoteTransaction, AnswerLastTransaction, AskTransactionInformation,
// WaitForPack, AskPackOrders, NotifyPackCompleted, Truncate,
// AnswerStoreObject and AnswerCheckCurrentSerial, whose tid is the
// conflict: NoTid = none).
type TidMsg struct {
	PacketCode uint16
	Tid        zodb.Tid
}

func (m *TidMsg) Code() uint16               { return m.PacketCode }
func (m *TidMsg) AppendArgs(b []byte) []byte { return appendTid(appendArray(b, 1), m.Tid) }
func (m *TidMsg) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Tid = d.tid()
	return d.end()
}

// TidPair is any packet of two tids: AnswerTransactionFinished and
// ValidateTransaction (ttid, tid), NotifyTransactionFinished (ttid,
// max_tid).
type TidPair struct {
	PacketCode uint16
	TTid       zodb.Tid
	Tid        zodb.Tid
}

func (m *TidPair) Code() uint16 { return m.PacketCode }
func (m *TidPair) AppendArgs(b []byte) []byte {
	return appendTid(appendTid(appendArray(b, 2), m.TTid), m.Tid)
}
func (m *TidPair) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.TTid = d.tid()
	m.Tid = d.tid()
	return d.end()
}

// TidList is AnswerTIDs or AnswerTIDsFrom: a list of tids.
type TidList struct {
	PacketCode uint16
	Tids       []zodb.Tid
}

func (m *TidList) Code() uint16               { return m.PacketCode }
func (m *TidList) AppendArgs(b []byte) []byte { return appendTids(appendArray(b, 1), m.Tids) }
func (m *TidList) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Tids = d.tids()
	return d.end()
}

// AskFinishTransaction asks the master to commit. Oids comes from a set:
// its order is arbitrary (kept as received).
type AskFinishTransaction struct {
	TTid    zodb.Tid
	Oids    []zodb.Oid
	Deleted []uint32 // partitions
	Checked []uint32 // partitions
	Pack    *PackInfo
}

func (*AskFinishTransaction) Code() uint16 { return CodeAskFinishTransaction }
func (m *AskFinishTransaction) AppendArgs(b []byte) []byte {
	b = appendArray(b, 5)
	b = appendTid(b, m.TTid)
	b = appendOids(b, m.Oids)
	b = appendU32s(b, m.Deleted)
	b = appendU32s(b, m.Checked)
	return appendPack(b, m.Pack)
}
func (m *AskFinishTransaction) DecodeArgs(a []byte) error {
	d := decArgs(a, 5)
	m.TTid = d.tid()
	m.Oids = d.oids()
	m.Deleted = d.u32s("partition")
	m.Checked = d.u32s("partition")
	m.Pack = d.pack()
	return d.end()
}

// AskLockInformation asks a storage to lock a transaction.
type AskLockInformation struct {
	TTid zodb.Tid
	Tid  zodb.Tid
	Pack bool
}

func (*AskLockInformation) Code() uint16 { return CodeAskLockInformation }
func (m *AskLockInformation) AppendArgs(b []byte) []byte {
	b = appendArray(b, 3)
	b = appendTid(b, m.TTid)
	b = appendTid(b, m.Tid)
	return appendBool(b, m.Pack)
}
func (m *AskLockInformation) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.TTid = d.tid()
	m.Tid = d.tid()
	m.Pack = d.bool()
	return d.end()
}

// InvalidateObjects tells clients which objects a transaction changed.
type InvalidateObjects struct {
	Tid  zodb.Tid
	Oids []zodb.Oid
}

func (*InvalidateObjects) Code() uint16 { return CodeInvalidateObjects }
func (m *InvalidateObjects) AppendArgs(b []byte) []byte {
	return appendOids(appendTid(appendArray(b, 2), m.Tid), m.Oids)
}
func (m *InvalidateObjects) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.Tid = d.tid()
	m.Oids = d.oids()
	return d.end()
}

// AskNewOIDs asks the master for new oids.
type AskNewOIDs struct{ NumOids uint32 }

func (*AskNewOIDs) Code() uint16 { return CodeAskNewOIDs }
func (m *AskNewOIDs) AppendArgs(b []byte) []byte {
	return appendUint(appendArray(b, 1), uint64(m.NumOids))
}
func (m *AskNewOIDs) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.NumOids = d.u32("num_oids")
	return d.end()
}

// AnswerNewOIDs answers AskNewOIDs.
type AnswerNewOIDs struct{ Oids []zodb.Oid }

func (*AnswerNewOIDs) Code() uint16                 { return CodeAnswerNewOIDs }
func (m *AnswerNewOIDs) AppendArgs(b []byte) []byte { return appendOids(appendArray(b, 1), m.Oids) }
func (m *AnswerNewOIDs) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Oids = d.oids()
	return d.end()
}

// AbortTransaction aborts a transaction (NIDs: the storages written to,
// when sent to the master).
type AbortTransaction struct {
	TTid zodb.Tid
	NIDs []NID
}

func (*AbortTransaction) Code() uint16 { return CodeAbortTransaction }
func (m *AbortTransaction) AppendArgs(b []byte) []byte {
	return appendNIDs(appendTid(appendArray(b, 2), m.TTid), m.NIDs)
}
func (m *AbortTransaction) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.TTid = d.tid()
	m.NIDs = d.nids()
	return d.end()
}

// AskStoreTransaction stores a transaction's metadata (and votes).
type AskStoreTransaction struct {
	TTid        zodb.Tid
	User        []byte
	Description []byte
	Extension   []byte
	Oids        []zodb.Oid
	Pack        *PackInfo
}

func (*AskStoreTransaction) Code() uint16 { return CodeAskStoreTransaction }
func (m *AskStoreTransaction) AppendArgs(b []byte) []byte {
	b = appendArray(b, 6)
	b = appendTid(b, m.TTid)
	b = appendBin(b, m.User)
	b = appendBin(b, m.Description)
	b = appendBin(b, m.Extension)
	b = appendOids(b, m.Oids)
	return appendPack(b, m.Pack)
}
func (m *AskStoreTransaction) DecodeArgs(a []byte) error {
	d := decArgs(a, 6)
	m.TTid = d.tid()
	m.User = d.bin()
	m.Description = d.bin()
	m.Extension = d.bin()
	m.Oids = d.oids()
	m.Pack = d.pack()
	return d.end()
}

// AnswerTransactionInformation answers AskTransactionInformation.
type AnswerTransactionInformation struct {
	Tid         zodb.Tid
	User        []byte
	Description []byte
	Extension   []byte
	Packed      bool
	Oids        []zodb.Oid
}

func (*AnswerTransactionInformation) Code() uint16 { return CodeAnswerTransactionInformation }
func (m *AnswerTransactionInformation) AppendArgs(b []byte) []byte {
	b = appendArray(b, 6)
	b = appendTid(b, m.Tid)
	b = appendBin(b, m.User)
	b = appendBin(b, m.Description)
	b = appendBin(b, m.Extension)
	b = appendBool(b, m.Packed)
	return appendOids(b, m.Oids)
}
func (m *AnswerTransactionInformation) DecodeArgs(a []byte) error {
	d := decArgs(a, 6)
	m.Tid = d.tid()
	m.User = d.bin()
	m.Description = d.bin()
	m.Extension = d.bin()
	m.Packed = d.bool()
	m.Oids = d.oids()
	return d.end()
}

// AskUnfinishedTransactions asks the master for the transactions not
// finished yet; Partitions are those the storage must replicate.
type AskUnfinishedTransactions struct{ Partitions []uint32 }

func (*AskUnfinishedTransactions) Code() uint16 { return CodeAskUnfinishedTransactions }
func (m *AskUnfinishedTransactions) AppendArgs(b []byte) []byte {
	return appendU32s(appendArray(b, 1), m.Partitions)
}
func (m *AskUnfinishedTransactions) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Partitions = d.u32s("partition")
	return d.end()
}

// AnswerUnfinishedTransactions answers AskUnfinishedTransactions.
type AnswerUnfinishedTransactions struct {
	LastTid zodb.Tid
	Pending []zodb.Tid
}

func (*AnswerUnfinishedTransactions) Code() uint16 { return CodeAnswerUnfinishedTransactions }
func (m *AnswerUnfinishedTransactions) AppendArgs(b []byte) []byte {
	return appendTids(appendTid(appendArray(b, 2), m.LastTid), m.Pending)
}
func (m *AnswerUnfinishedTransactions) DecodeArgs(a []byte) error {
	d := decArgs(a, 2)
	m.LastTid = d.tid()
	m.Pending = d.tids()
	return d.end()
}
