package ctl

import (
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// Values checked with Python: str(datetime.utcfromtimestamp(x)),
// str(neo.lib.util.datetimeFromTID(p64(t))), tidFromTime(x).
func TestPyTimes(t *testing.T) {
	for _, tc := range []struct {
		ts   float64
		want string
	}{
		{1795546657.4709723, "2026-11-24 18:57:37.470972"},
		{1795546657.0, "2026-11-24 18:57:37"},
		{0.0000005, "1970-01-01 00:00:00"}, // half: to even
		{0.0000015, "1970-01-01 00:00:00.000002"},
		{1.9999999, "1970-01-01 00:00:02"},
	} {
		if got := PyUTCFromTimestamp(tc.ts); got != tc.want {
			t.Errorf("PyUTCFromTimestamp(%v) = %q, want %q", tc.ts, got, tc.want)
		}
	}
	for _, tc := range []struct {
		tid  zodb.Tid
		want string
	}{
		{0, "1900-01-01 00:00:00"},
		{0x040d3c91b019f465, "2026-11-24 18:57:41.273762"},
		{0x040d414d8be03855, "2026-11-25 15:09:32.783404"},
	} {
		if got := TidDatetime(tc.tid); got != tc.want {
			t.Errorf("TidDatetime(%016x) = %q, want %q", uint64(tc.tid), got, tc.want)
		}
	}
	// 2012-01-01 12:34:56 UTC, the example of neoctl's help.
	if got, want := TidFromUnix(1325421296), zodb.Tid(0x03937af2eeeeeeee); got != want {
		t.Errorf("TidFromUnix(1325421296) = %016x, want %016x", uint64(got), uint64(want))
	}
}

func TestFormatNodeList(t *testing.T) {
	nodes := []proto.NodeInfo{
		{Type: proto.Storage, Addr: &proto.Address{Host: "::1", Port: 2}, NID: 2, State: proto.NodeDown, IDTimestamp: 0},
		{Type: proto.Client, NID: proto.NoNID, State: proto.NodeRunning, IDTimestamp: proto.NoTime},
		{Type: proto.Master, Addr: &proto.Address{Host: "10.0.0.1", Port: 9}, NID: -0x10<<24 + 1, State: proto.NodeRunning, IDTimestamp: proto.NoTime},
	}
	want := []string{
		"M1   | MASTER  | 10.0.0.1:9 | RUNNING | None",
		"S2   | STORAGE | [::1]:2    | DOWN    | 0.0",
		"None | CLIENT  |            | RUNNING | None",
	}
	if got := FormatNodeList(nodes); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFormatPartitionTable(t *testing.T) {
	up, out := proto.UpToDate, proto.OutOfDate
	rows := make([][]proto.CellInfo, 21)
	for i := range rows {
		rows[i] = []proto.CellInfo{{NID: 1, State: up}}
		if i%2 == 1 {
			rows[i] = append(rows[i], proto.CellInfo{NID: 10, State: out})
		}
	}
	storages := []proto.NodeInfo{
		{NID: 1, State: proto.NodeRunning}, {NID: 10, State: proto.NodePending}, {NID: 3, State: proto.NodeRunning},
	}
	want := "" +
		"              10v       20v\n" +
		"S1  R UUUUUUUUUUUUUUUUUUUUU\n" +
		"S3  R .....................\n" +
		"S10 P .O.O.O.O.O.O.O.O.O.O."
	if got := FormatPartitionTable(rows, storages); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want proto.NID
	}{{"S1", 1}, {"M1", -0x10<<24 + 1}, {"C12", -0x20<<24 + 12}, {"A3", -0x30<<24 + 3}} {
		if got, err := ParseNID(tc.s); err != nil || got != tc.want {
			t.Errorf("ParseNID(%q) = %v, %v", tc.s, got, err)
		}
	}
	for _, s := range []string{"", "s1", "X1", "S", "Sx", "S99999999999"} {
		if _, err := ParseNID(s); err == nil {
			t.Errorf("ParseNID(%q) succeeded", s)
		}
	}
	for _, tc := range []struct {
		s    string
		want zodb.Tid
	}{{"tid:1", 1}, {"TID:0x3937af2eeeeeeee", 0x3937af2eeeeeeee}, {"tid:257684787499560686", 257684787499560686}, {"1325421296", 0x03937af2eeeeeeee}} {
		if got, err := ParseTid(tc.s); err != nil || got != tc.want {
			t.Errorf("ParseTid(%q) = %x, %v", tc.s, uint64(got), err)
		}
	}
	for _, s := range []string{"", "tid:", "tid:x", "12x", "nan", "-1", "inf", "1e300", "253402300800"} {
		if _, err := ParseTid(s); err == nil {
			t.Errorf("ParseTid(%q) succeeded", s)
		}
	}
}

// FuzzArgs: no command line makes the parsers panic.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"print pt 0 4 S1", "check 0:S1 1: 1325421296 tid:1", "truncate tid:0x10", "set cluster RUNNING", "add all", "tweak -n S1 S2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Fields(s)
		Check(args)
		for _, a := range args {
			ParseNID(a)
			ParseTid(a)
			parseOffset(a)
		}
	})
}
