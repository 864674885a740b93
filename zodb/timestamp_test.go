package zodb

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// tidText is a tid and the text Python's str(TimeStamp) gave for it.
type tidText struct {
	tid  Tid
	text string
	from string // where the pair was read
}

var (
	fsdumpTrans = regexp.MustCompile(`^Trans #\d+ tid=([0-9a-f]{16}) size=\d+ time=(\S+ \S+) offset=`)
	fstailTime  = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}): hash=`)
	fstailPos   = regexp.MustCompile(` offset=(\d+) \(`)
)

// goldenTidTexts collects every tid/time pair ZODB's fsdump and fstail
// printed for the FileStorages in testdata. fstail prints no tid, but its
// offset= is the transaction's position, where the tid is stored.
func goldenTidTexts(t *testing.T) []tidText {
	t.Helper()
	var pairs []tidText
	dumps, _ := filepath.Glob("../testdata/fs1/*/*.fsdump")
	for _, path := range dumps {
		for _, line := range readLines(t, path) {
			m := fsdumpTrans.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			tid, err := ParseTid(m[1])
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			pairs = append(pairs, tidText{tid, m[2], path})
		}
	}
	tails, _ := filepath.Glob("../testdata/fs1/*/*.fstail")
	for _, path := range tails {
		fs, err := os.ReadFile(path[:len(path)-len(".fstail")] + ".fs")
		if err != nil {
			t.Fatal(err)
		}
		lines := readLines(t, path)
		for i := 0; i+1 < len(lines); i++ {
			m, pos := fstailTime.FindStringSubmatch(lines[i]), fstailPos.FindStringSubmatch(lines[i+1])
			if m == nil || pos == nil {
				continue
			}
			off, _ := strconv.Atoi(pos[1])
			if off+8 > len(fs) {
				t.Fatalf("%s: offset %d past the end of the file", path, off)
			}
			pairs = append(pairs, tidText{Tid(binary.BigEndian.Uint64(fs[off:])), m[1], path})
		}
	}
	if len(pairs) < 100 {
		t.Fatalf("only %d tid/time pairs in testdata; glob broken?", len(pairs))
	}
	return pairs
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestTimeStringGolden(t *testing.T) {
	pairs := goldenTidTexts(t)
	t.Logf("%d tid/time pairs from fsdump and fstail", len(pairs))
	for _, p := range pairs {
		if got := p.tid.TimeString(); got != p.text {
			t.Errorf("%s: %s.TimeString() = %q, Python printed %q", p.from, p.tid, got, p.text)
		}
		if got := TidFromTime(p.tid.Time()); got != p.tid {
			t.Errorf("%s: TidFromTime(%s.Time()) = %s", p.from, p.tid, got)
		}
	}
}

// TestTimeStringEdges checks values Python printed (pure-Python TimeStamp
// formulas, which the C version matches) where printf's rounding matters.
func TestTimeStringEdges(t *testing.T) {
	for _, tt := range []struct {
		tid  Tid
		want string
	}{
		{0, "1900-01-01 00:00:00.000000"},
		{0xffffffff, "1900-01-01 00:00:60.000000"}, // rounds up to 60
		{1 << 23, "1900-01-01 00:00:00.117188"},    // 0.1171875: tie, to even
		{3 << 23, "1900-01-01 00:00:00.351562"},    // 0.3515625: tie, to even
		{5<<32 | 0x7fffffff, "1900-01-01 00:05:30.000000"},
		{0x03f59459b2f6cfcc, "2024-01-02 03:05:41.944713"},
		{TidMax, "5908-11-23 02:07:60.000000"},
		{math.MaxUint64, "9917-10-14 04:15:60.000000"},
	} {
		if got := tt.tid.TimeString(); got != tt.want {
			t.Errorf("%s.TimeString() = %q, want %q", tt.tid, got, tt.want)
		}
	}
}

func TestTime(t *testing.T) {
	for _, tt := range []struct {
		tid  Tid
		want time.Time
	}{
		{0, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
		// 0xb2f6cfcc * 60/2**32 s = 41.944712866098 s, rounded up to the ns;
		// Python prints it as 41.944713.
		{0x03f59459b2f6cfcc, time.Date(2024, 1, 2, 3, 5, 41, 944712867, time.UTC)},
		{0x03c4857600000000, time.Date(2018, 1, 1, 10, 30, 0, 0, time.UTC)},
		// The last unit of a minute, 60 - 60/2**32 s.
		{0x03c48576ffffffff, time.Date(2018, 1, 1, 10, 30, 59, 999999987, time.UTC)},
	} {
		if got := tt.tid.Time(); !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("%s.Time() = %v, want %v", tt.tid, got, tt.want)
		}
	}
}

func TestTidFromTime(t *testing.T) {
	for _, tt := range []struct {
		time time.Time
		want Tid
	}{
		{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Date(2018, 1, 1, 10, 30, 0, 0, time.UTC), 0x03c4857600000000},
		// 50.52 s: Python's 50 + 520000/1e6, divided by 60/2**32, truncated.
		{time.Date(1985, 4, 12, 23, 20, 50, 520000000, time.UTC), 0x02b914f8d78d4fdf},
		{time.Date(2009, 8, 30, 19, 19, 55, 0, time.UTC), 0x03805ec7eaaaaaaa},
		// 41 + 944712866/1e9 s; Python's newTid, through a float of Unix
		// time, gives ...cfcc for the same instant (see TestTidAfter).
		{time.Unix(0, 1704164741944712866), 0x03f59459b2f6cfcb},
		// Fields are taken in UTC.
		{time.Date(2018, 1, 1, 11, 30, 0, 0, time.FixedZone("", 3600)), 0x03c4857600000000},
		// Out of TimeStamp's range: clamped.
		{time.Date(1899, 12, 31, 23, 59, 59, 0, time.UTC), 0},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxUint64},
		{time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), 0},
	} {
		if got := TidFromTime(tt.time); got != tt.want {
			t.Errorf("TidFromTime(%v) = %s, want %s", tt.time, got, tt.want)
		}
	}
}

// TestTimeRoundTrip checks TidFromTime(tid.Time()) == tid across the seconds
// field, where Time's rounding up to a nanosecond matters.
func TestTimeRoundTrip(t *testing.T) {
	base := Tid(0x03f5945900000000)
	for frac := uint64(0); frac < 1<<32; frac += 0x10001 {
		for _, f := range []uint64{frac, frac + 1, 1<<32 - 1 - frac} {
			tid := base | Tid(f)
			if got := TidFromTime(tid.Time()); got != tid {
				t.Fatalf("TidFromTime(%s.Time() = %v) = %s", tid, tid.Time(), got)
			}
		}
	}
}

func TestTidAfter(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tt := range []struct {
		name string
		prev Tid
		now  time.Time
		want Tid
	}{
		{"now is later", 0x03c4857500000000, at("2018-01-01T10:30:00Z"), 0x03c4857600000000},
		{"now equals prev", 0x03c4857600000000, at("2018-01-01T10:30:00Z"), 0x03c4857600000001},
		{"clock went back", 0x03c4857612345678, at("2018-01-01T10:29:00Z"), 0x03c4857612345679},
		{"seconds carry into minute", 0x03c48576ffffffff, at("2000-01-01T00:00:00Z"),
			TidFromTime(at("2018-01-01T10:31:00Z"))},
		{"into next day", TidFromTime(at("2018-01-01T23:59:00Z")) | 0xffffffff, at("2000-01-01T00:00:00Z"),
			TidFromTime(at("2018-01-02T00:00:00Z"))},
		{"into March", TidFromTime(at("2023-02-28T23:59:00Z")) | 0xffffffff, at("2000-01-01T00:00:00Z"),
			TidFromTime(at("2023-03-01T00:00:00Z"))},
		{"leap day", TidFromTime(at("2024-02-28T23:59:00Z")) | 0xffffffff, at("2000-01-01T00:00:00Z"),
			TidFromTime(at("2024-02-29T00:00:00Z"))},
		{"into next year", TidFromTime(at("2023-12-31T23:59:00Z")) | 0xffffffff, at("2000-01-01T00:00:00Z"),
			TidFromTime(at("2024-01-01T00:00:00Z"))},
		{"nothing later", math.MaxUint64, at("2000-01-01T00:00:00Z"), math.MaxUint64},
		// ZODB goes through time.time()'s float: Python's newTid gives the
		// first tid of small.fs for this instant, where TidFromTime gives
		// ...cfcb (see TestTidFromTime).
		{"float of Unix time", 0, time.Unix(0, 1704164741944712866), 0x03f59459b2f6cfcc},
		{"before 1900", 5, at("1800-01-01T00:00:00Z"), 6},
	} {
		if got := TidAfter(tt.prev, tt.now); got != tt.want {
			t.Errorf("%s: TidAfter(%s, %v) = %s, want %s", tt.name, tt.prev, tt.now, got, tt.want)
		}
	}
}

// FuzzTidTime checks that any 64-bit tid prints in Python's shape and that
// tids of real dates survive Time and TidFromTime.
func FuzzTidTime(f *testing.F) {
	for _, seed := range []uint64{0, 0xffffffff, 1 << 23, 0x03f59459b2f6cfcc, uint64(TidMax), math.MaxUint64} {
		f.Add(seed)
	}
	shape := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$`)
	f.Fuzz(func(t *testing.T, v uint64) {
		tid := Tid(v)
		s := tid.TimeString()
		if !shape.MatchString(s) {
			t.Fatalf("%s.TimeString() = %q", tid, s)
		}
		p := tid.parts()
		if p.day > daysIn(p.year, p.month) {
			return // no such date: Time normalises it, as timeTime does
		}
		if got := TidFromTime(tid.Time()); got != tid {
			t.Fatalf("TidFromTime(%s.Time()) = %s", tid, got)
		}
	})
}

func BenchmarkTimeString(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Tid(0x03f59459b2f6cfcc).TimeString()
	}
}
