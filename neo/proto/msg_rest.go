package proto

import "github.com/zodbneo/zodbneo/zodb"

// The last packets: relock, backup replication and monitoring.

// ObjectData is the [compression, checksum, data] of a conflicting
// revision.
type ObjectData struct {
	Compression int64
	Checksum    []byte
	Data        []byte
}

// RelockConflict is AnswerRelockObject's conflict: [serial,
// conflict_serial, data|nil].
type RelockConflict struct {
	Serial, ConflictSerial zodb.Tid
	Data                   *ObjectData
}

// AnswerRelockObject answers AskRelockObject (Conflict nil: relocked).
type AnswerRelockObject struct{ Conflict *RelockConflict }

func (*AnswerRelockObject) Code() uint16 { return CodeAnswerRelockObject }
func (m *AnswerRelockObject) AppendArgs(b []byte) []byte {
	b = appendArray(b, 1)
	c := m.Conflict
	if c == nil {
		return appendNil(b)
	}
	b = appendTid(appendTid(appendArray(b, 3), c.Serial), c.ConflictSerial)
	if c.Data == nil {
		return appendNil(b)
	}
	b = appendInt(appendArray(b, 3), c.Data.Compression)
	return appendBin(appendBin(b, c.Data.Checksum), c.Data.Data)
}
func (m *AnswerRelockObject) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	m.Conflict = nil
	if !d.peekNil() {
		if d.arrayLen() != 3 {
			d.fail("conflict is not a triple")
			return d.err
		}
		c := &RelockConflict{Serial: d.tid(), ConflictSerial: d.tid()}
		if !d.peekNil() {
			if d.arrayLen() != 3 {
				d.fail("data is not a triple")
				return d.err
			}
			c.Data = &ObjectData{Compression: d.int(), Checksum: d.bin(), Data: d.bin()}
		}
		m.Conflict = c
	}
	return d.end()
}

// ReplicateSource is one entry of Replicate's map {partition: addr|nil}.
type ReplicateSource struct {
	Partition uint32
	Addr      *Address
}

// Replicate tells a backup storage to replicate from upstream (map
// entries in the order received).
type Replicate struct {
	Tid          zodb.Tid
	UpstreamName string
	Sources      []ReplicateSource
}

func (*Replicate) Code() uint16 { return CodeReplicate }
func (m *Replicate) AppendArgs(b []byte) []byte {
	b = appendBin(appendTid(appendArray(b, 3), m.Tid), []byte(m.UpstreamName))
	b = appendMap(b, len(m.Sources))
	for _, s := range m.Sources {
		b = appendAddr(appendUint(b, uint64(s.Partition)), s.Addr)
	}
	return b
}
func (m *Replicate) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.Tid = d.tid()
	m.UpstreamName = d.str()
	n := d.mapLen()
	m.Sources = make([]ReplicateSource, n)
	for i := range m.Sources {
		m.Sources[i] = ReplicateSource{Partition: d.u32("partition"), Addr: d.addr()}
	}
	return d.end()
}

// AnswerMonitorInformation answers AskMonitorInformation: names of
// backup clusters with warnings or problems (nil entries for nil) and a
// summary.
type AnswerMonitorInformation struct {
	Warnings [][]byte
	Problems [][]byte
	Summary  []byte
}

func appendBinsOrNil(b []byte, l [][]byte) []byte {
	b = appendArray(b, len(l))
	for _, s := range l {
		if s == nil {
			b = appendNil(b)
		} else {
			b = appendBin(b, s)
		}
	}
	return b
}

func (d *dec) binsOrNil() [][]byte {
	n := d.arrayLen()
	l := make([][]byte, n)
	for i := range l {
		if !d.peekNil() {
			l[i] = d.bin()
			if l[i] == nil {
				l[i] = []byte{}
			}
		}
	}
	return l
}

func (*AnswerMonitorInformation) Code() uint16 { return CodeAnswerMonitorInformation }
func (m *AnswerMonitorInformation) AppendArgs(b []byte) []byte {
	b = appendBinsOrNil(appendArray(b, 3), m.Warnings)
	return appendBin(appendBinsOrNil(b, m.Problems), m.Summary)
}
func (m *AnswerMonitorInformation) DecodeArgs(a []byte) error {
	d := decArgs(a, 3)
	m.Warnings = d.binsOrNil()
	m.Problems = d.binsOrNil()
	m.Summary = d.bin()
	return d.end()
}

// NotifyMonitorInformation sends monitoring information to an upstream
// admin: a map {bin: any}, kept as raw msgpack.
type NotifyMonitorInformation struct{ Info Raw }

func (*NotifyMonitorInformation) Code() uint16 { return CodeNotifyMonitorInformation }
func (m *NotifyMonitorInformation) AppendArgs(b []byte) []byte {
	b = appendArray(b, 1)
	if m.Info == nil {
		return appendMap(b, 0)
	}
	return append(b, m.Info...)
}
func (m *NotifyMonitorInformation) DecodeArgs(a []byte) error {
	d := decArgs(a, 1)
	start := d.off
	n := d.mapLen()
	for i := 0; i < 2*n; i++ {
		d.next()
	}
	m.Info = Raw(d.b[start:d.off])
	return d.end()
}
