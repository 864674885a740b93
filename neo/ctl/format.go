package ctl

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// The text forms below are neoctl's (TerminalNeoCTL, neo.lib.protocol's
// formatNodeList, neo.lib.pt's _format), so scripts parsing neoctl's
// output keep working.

// FormatAddress prints a node address as NEO/py does: host:port, [host]:port
// for IPv6 hosts, "" for none.
func FormatAddress(a *proto.Address) string {
	if a == nil {
		return ""
	}
	if strings.Contains(a.Host, ":") {
		return fmt.Sprintf("[%s]:%d", a.Host, a.Port)
	}
	return fmt.Sprintf("%s:%d", a.Host, a.Port)
}

// FormatNodeList returns one line per node, columns NID, type, address,
// state and identification time, padded to the widest entry of each
// column and separated by " | ". Nodes are sorted by NID (as signed
// integers: admins, clients, masters, then storages), nodes without NID
// last by address.
func FormatNodeList(nodes []proto.NodeInfo) []string {
	nodes = append([]proto.NodeInfo(nil), nodes...)
	sort.SliceStable(nodes, func(i, j int) bool {
		a, b := nodes[i], nodes[j]
		if (a.NID == proto.NoNID) != (b.NID == proto.NoNID) {
			return b.NID == proto.NoNID
		}
		if a.NID == proto.NoNID {
			return addrLess(a.Addr, b.Addr)
		}
		return a.NID < b.NID
	})
	cols := make([][5]string, len(nodes))
	var width [4]int
	for i, n := range nodes {
		cols[i] = [5]string{n.NID.String(), n.Type.String(), FormatAddress(n.Addr), n.State.String(), formatIDTimestamp(n.IDTimestamp)}
		for k := range width {
			width[k] = max(width[k], len(cols[i][k]))
		}
	}
	lines := make([]string, len(nodes))
	for i, c := range cols {
		var b strings.Builder
		for k := range width {
			fmt.Fprintf(&b, "%-*s | ", width[k], c[k])
		}
		b.WriteString(c[4])
		lines[i] = b.String()
	}
	return lines
}

// addrLess orders addresses as Python compares (host, port) tuples, no
// address first.
func addrLess(a, b *proto.Address) bool {
	switch {
	case a == nil || b == nil:
		return a == nil && b != nil
	case a.Host != b.Host:
		return a.Host < b.Host
	}
	return a.Port < b.Port
}

// formatIDTimestamp prints a node's identification time as Python's
// str(ts and datetime.utcfromtimestamp(ts)).
func formatIDTimestamp(ts float64) string {
	switch {
	case proto.IsNoTime(ts):
		return "None"
	case ts == 0:
		return "0.0"
	}
	return PyUTCFromTimestamp(ts)
}

// PyUTCFromTimestamp prints the Unix time ts as Python's
// str(datetime.utcfromtimestamp(ts)): microseconds rounded half to even,
// omitted when zero.
func PyUTCFromTimestamp(ts float64) string {
	ip, fp := math.Modf(ts)
	us := math.RoundToEven(fp * 1e6)
	if us >= 1e6 {
		us -= 1e6
		ip++
	} else if us < 0 {
		us += 1e6
		ip--
	}
	t := time.Unix(int64(ip), 0).UTC()
	return pyDatetime(t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), int(us))
}

// pyDatetime prints a date as Python's str(datetime).
func pyDatetime(year, month, day, hour, minute, sec, us int) string {
	s := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, sec)
	if us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s
}

// TidDatetime prints the time of tid as NEO/py's str(datetimeFromTID(tid)):
// the seconds cut to whole microseconds.
func TidDatetime(tid zodb.Tid) string {
	hi, lo := uint32(tid>>32), uint64(uint32(tid))
	minute := int(hi % 60)
	hi /= 60
	hour := int(hi % 24)
	hi /= 24
	day := int(hi%31) + 1
	hi /= 31
	month := int(hi%12) + 1
	year := int(hi/12) + 1900
	sec, rem := lo*60>>32, lo*60&(1<<32-1)
	us := int(float64(rem) * (1e6 / (1 << 32)))
	return pyDatetime(year, month, day, hour, minute, int(sec), us)
}

var (
	nodeStatePrefix = map[proto.NodeState]byte{proto.NodeRunning: 'R', proto.NodeDown: 'D', proto.NodeUnknown: 'U', proto.NodePending: 'P'}
	cellStatePrefix = map[proto.CellState]byte{proto.UpToDate: 'U', proto.OutOfDate: 'O', proto.Feeding: 'F', proto.Discarded: 'D', proto.Corrupted: 'C'}
)

// FormatPartitionTable draws the table as neoctl's "print pt" does: one
// line per storage node (those with a cell, and running ones without),
// sorted by NID: the NID, its state letter, then one letter per partition
// (U up to date, O out of date, F feeding, C corrupted, '.' no cell).
// Above them, when there are more than 10 partitions, a line marks every
// tenth partition with a 'v'. storages gives the nodes' states.
func FormatPartitionTable(rows [][]proto.CellInfo, storages []proto.NodeInfo) string {
	state := map[proto.NID]proto.NodeState{}
	shown := map[proto.NID][]byte{}
	for _, n := range storages {
		state[n.NID] = n.State
		if n.State == proto.NodeRunning {
			shown[n.NID] = nil
		}
	}
	for p, row := range rows {
		for _, c := range row {
			line := shown[c.NID]
			if line == nil {
				line = []byte(strings.Repeat(".", len(rows)))
				shown[c.NID] = line
			}
			line[p] = cellStatePrefix[c.State]
		}
	}
	if len(shown) == 0 {
		return ""
	}
	nids := make([]proto.NID, 0, len(shown))
	for nid := range shown {
		nids = append(nids, nid)
	}
	sort.Slice(nids, func(i, j int) bool { return nids[i] < nids[j] })
	w := len(nids[len(nids)-1].String())
	var lines []string
	if len(rows) > 10 {
		var b strings.Builder
		b.WriteString(strings.Repeat(" ", 4+w))
		for x := 10; x < len(rows); x += 10 {
			fmt.Fprintf(&b, "%9dv", x)
		}
		lines = append(lines, b.String())
	}
	for _, nid := range nids {
		line := shown[nid]
		if line == nil {
			line = []byte(strings.Repeat(".", len(rows)))
		}
		s, ok := state[nid]
		letter := nodeStatePrefix[s]
		if !ok {
			letter = 'U' // a cell of a node the admin does not list
		}
		lines = append(lines, fmt.Sprintf("%-*s %c %s", w, nid.String(), letter, line))
	}
	return strings.Join(lines, "\n")
}

// FormatRowList prints rows as neoctl's "print pt MIN MAX": one line per
// partition from offset first, "NNN | S1 - UP_TO_DATE | ...".
func FormatRowList(first uint32, rows [][]proto.CellInfo) string {
	lines := make([]string, len(rows))
	for i, row := range rows {
		var b strings.Builder
		fmt.Fprintf(&b, "%03d |", int(first)+i)
		for _, c := range row {
			fmt.Fprintf(&b, " %s - %s |", c.NID, c.State)
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}
