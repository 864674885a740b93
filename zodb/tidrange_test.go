package zodb

import (
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris even on machines without a tz database
)

// vectorNow returns the clock tid-time-format.txt assumes: 2009-08-30T19:20Z
// on a machine whose zone is Europe/Paris.
func vectorNow(t testing.TB) time.Time {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2009, 8, 30, 19, 20, 0, 0, time.UTC).In(paris)
}

// timeVector is one line of zodbtools' tid-time-format.txt.
type timeVector struct {
	ref   string // the time in RFC 3339
	tid   Tid
	input string
}

func readTimeVectors(t testing.TB) []timeVector {
	t.Helper()
	var vv []timeVector
	for i, line := range readLines(t, "../testdata/zodbtools/tid-time-format.txt") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			t.Fatalf("tid-time-format.txt:%d: malformed %q", i+1, line)
		}
		tid, err := ParseTid(f[1])
		if err != nil {
			t.Fatalf("tid-time-format.txt:%d: %v", i+1, err)
		}
		vv = append(vv, timeVector{f[0], tid, f[2]})
	}
	if len(vv) < 20 {
		t.Fatalf("only %d vectors", len(vv))
	}
	return vv
}

// TestParseTidOrTimeVectors runs every vector zodbtools tests parse_tid with,
// and, like zodbtools, checks that the reference time gives the same tid.
func TestParseTidOrTimeVectors(t *testing.T) {
	now := vectorNow(t)
	for _, v := range readTimeVectors(t) {
		for _, in := range []string{v.input, v.ref} {
			got, err := ParseTidOrTime(in, now)
			if err != nil {
				t.Errorf("ParseTidOrTime(%q): %v", in, err)
			} else if got != v.tid {
				t.Errorf("ParseTidOrTime(%q) = %s (%s), want %s (%s)", in, got, got.Time(), v.tid, v.ref)
			}
		}
	}
}

// TestParseTidOrTimeMore covers what Python's dateparser gives for inputs
// that tid-time-format.txt leaves commented out, and other accepted forms.
func TestParseTidOrTimeMore(t *testing.T) {
	now := vectorNow(t)
	for _, tt := range []struct {
		in   string
		want Tid
	}{
		{"0285cbac258bf266", 0x0285cbac258bf266},
		{"0285CBAC258BF266", 0x0285cbac258bf266},
		// Dates without a time are local midnight, as in Python.
		{"2008-12-01", 0x037a3e4400000000},
		{"2009-12-01", 0x03826ac400000000},
		{"06/05/2009", 0x037e706800000000}, // month first
		// RFC 850 and RFC 1123, which zodbtools' vectors leave to Python.
		{"Monday, 02-Jan-06 15:04:05 MST", 0x036277cc15555555},
		{"Mon, 02 Jan 2006 15:04:05 MST", 0x036277cc15555555},
		{"Mon, 02 Jan 2006 23:04:05 GMT+1", 0x036277cc15555555},
		// 16 characters but not hex: a time.
		{"2018-01-01T10:30", 0x03c4853a00000000}, // 10:30 in Paris
		{"2018-01-02T00:00:00.000000+00:00", 0x03c488a000000000},
		{"2018-01-01 11:30:00 CET", 0x03c4857600000000},
		{"2018-01-01 05:30:00 EST", 0x03c4857600000000},
		{"2018-01-01 10:30:00+00:00", 0x03c4857600000000},
		{"  yesterday ", 0x0380592800000000},
		{"1_week_ago", TidFromTime(time.Date(2009, 8, 23, 19, 20, 0, 0, time.UTC))},
		{"3_days.ago", 0x03804de800000000},
		{"yesterday, 6am", 0x0380559000000000},
		{"yesterday at 6pm", 0x0380586000000000},
		{"2.years.3.months.ago", 0x036dfaa800000000}, // commented out in the vectors
		{"2 years, 3 months ago", 0x036dfaa800000000},
		// Back on the wall clock of Paris: 21:20 CET in December.
		{"20 months ago", TidFromTime(time.Date(2007, 12, 30, 20, 20, 0, 0, time.UTC))},
		{"a minute ago", 0x03805ec700000000},
		{"an hour ago", TidFromTime(time.Date(2009, 8, 30, 18, 20, 0, 0, time.UTC))},
		{"1 day, 2 hours ago", TidFromTime(time.Date(2009, 8, 29, 17, 20, 0, 0, time.UTC))},
		{"10 mins ago", 0x03805ebe00000000},
		// Fractions beyond a microsecond are dropped, as a datetime does.
		{"1985-04-12T23:20:50.520000999Z", 0x02b914f8d78d4fdf},
	} {
		got, err := ParseTidOrTime(tt.in, now)
		if err != nil {
			t.Errorf("ParseTidOrTime(%q): %v", tt.in, err)
		} else if got != tt.want {
			t.Errorf("ParseTidOrTime(%q) = %s (%s), want %s (%s)", tt.in, got, got.Time(), tt.want, tt.want.Time())
		}
	}
}

// TestParseTidOrTimeClock checks what dateparser does with the clock of now:
// a time of day starts at its whole minute, a date alone is its midnight, and
// relative times keep now's seconds to the microsecond.
func TestParseTidOrTimeClock(t *testing.T) {
	now := vectorNow(t).Add(17*time.Second + 123456789) // 19:20:17.123456789Z
	paris := now.Location()
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"now", time.Date(2009, 8, 30, 19, 20, 17, 123456000, time.UTC)},
		{"5 seconds ago", time.Date(2009, 8, 30, 19, 20, 12, 123456000, time.UTC)},
		{"yesterday", time.Date(2009, 8, 29, 19, 20, 17, 123456000, time.UTC)},
		{"6am yesterday", time.Date(2009, 8, 29, 6, 0, 0, 0, paris)},
		{"noon today", time.Date(2009, 8, 30, 12, 0, 0, 0, paris)},
		{"15:00", time.Date(2009, 8, 30, 15, 0, 0, 0, paris)},
		{"June 7", time.Date(2009, 6, 7, 0, 0, 0, 0, paris)},
		{"June 7, 2008", time.Date(2008, 6, 7, 0, 0, 0, 0, paris)},
		{"July 5th", time.Date(2009, 7, 5, 0, 0, 0, 0, paris)},
	} {
		got, err := ParseTidOrTime(tt.in, now)
		if want := TidFromTime(tt.want); err != nil || got != want {
			t.Errorf("ParseTidOrTime(%q) = %s (%v), %v; want %s (%v)", tt.in, got, got.Time(), err, want, tt.want)
		}
	}
}

// TestParseTidOrTimeCalendar checks that days and months back count on the
// calendar of now's location, as dateparser's relativedelta does.
func TestParseTidOrTimeCalendar(t *testing.T) {
	paris := vectorNow(t).Location()
	for _, tt := range []struct {
		now  time.Time
		in   string
		want time.Time
	}{
		// The day before the switch to summer time has 23 hours.
		{time.Date(2009, 3, 29, 12, 0, 0, 0, paris), "yesterday", time.Date(2009, 3, 28, 12, 0, 0, 0, paris)},
		{time.Date(2009, 3, 29, 12, 0, 0, 0, paris), "1 day ago", time.Date(2009, 3, 28, 12, 0, 0, 0, paris)},
		{time.Date(2009, 3, 28, 12, 0, 0, 0, paris), "tomorrow", time.Date(2009, 3, 29, 12, 0, 0, 0, paris)},
		// A shorter month keeps its last day.
		{time.Date(2009, 5, 31, 12, 0, 0, 0, paris), "3 months ago", time.Date(2009, 2, 28, 12, 0, 0, 0, paris)},
		{time.Date(2008, 2, 29, 12, 0, 0, 0, paris), "1 year ago", time.Date(2007, 2, 28, 12, 0, 0, 0, paris)},
		{time.Date(2009, 1, 15, 12, 0, 0, 0, paris), "14 months ago", time.Date(2007, 11, 15, 12, 0, 0, 0, paris)},
	} {
		got, err := ParseTidOrTime(tt.in, tt.now)
		if want := TidFromTime(tt.want); err != nil || got != want {
			t.Errorf("at %v: ParseTidOrTime(%q) = %s (%v), %v; want %s (%v)", tt.now, tt.in, got, got.Time(), err, want, tt.want)
		}
	}
}

// TestParseTidOrTimeUTC checks zones against a clock in UTC, where the
// location knows no abbreviation and the table of zones decides.
func TestParseTidOrTimeUTC(t *testing.T) {
	now := time.Date(2009, 8, 30, 19, 20, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want Tid
	}{
		{"2018-01-01T10:30", 0x03c4857600000000},
		{"2018-01-01 11:30:00 CET", 0x03c4857600000000},
		{"2018-01-01 12:30:00 EEST", 0x03c4853a00000000},
		{"2018-01-01 02:30:00 PST", 0x03c4857600000000},
		{"2018-01-01 10:30:00 GMT", 0x03c4857600000000},
		{"01 Jan 18 11:30 GMT+1", 0x03c4857600000000},
		{"6pm yesterday", 0x038058d800000000},
	} {
		got, err := ParseTidOrTime(tt.in, now)
		if err != nil {
			t.Errorf("ParseTidOrTime(%q): %v", tt.in, err)
		} else if got != tt.want {
			t.Errorf("ParseTidOrTime(%q) = %s (%s), want %s (%s)", tt.in, got, got.Time(), tt.want, tt.want.Time())
		}
	}
}

// TestParseTidOrTimeBad checks that bad input is an error naming it, rather
// than a time made of the part that could be read.
func TestParseTidOrTimeBad(t *testing.T) {
	now := vectorNow(t)
	for _, in := range []string{
		"", " ", "invalid", "inv.alid", "0285cbac258bf26", "0285cbac258bf2666", "0285cbac258bf26g",
		"now garbage", "garbage now", "now now", "6am xx yesterday", "5 foo ago", "ago",
		"last tuesday", // which dateparser does not read either
		"200 years ago", "9999999 days ago", "99999999999999999999 seconds ago",
		// From the invalid formats at the end of tid-time-format.txt.
		"2009-06-34T22:00:00Z", "2009-06-01T1:2:3", "2009-O6-01T22:00:00Z", "2009-06-01T10:00:00:+09:00",
		"26 Aug 76 14:29 XYZ",                          // unknown zone
		"1899-12-31T23:59:59Z", "9999-01-01T00:00:00Z", // no tid for these
		strings.Repeat("1 day ", 100) + "ago", // too long to be a date
	} {
		tid, err := ParseTidOrTime(in, now)
		if err == nil {
			t.Errorf("ParseTidOrTime(%q) = %s (%s), want an error", in, tid, tid.Time())
			continue
		}
		if !strings.Contains(err.Error(), strconv.Quote(in)) || !strings.HasPrefix(err.Error(), "zodb: ") {
			t.Errorf("ParseTidOrTime(%q): error %q does not name the input", in, err)
		}
	}
}

func TestParseTidRange(t *testing.T) {
	now := vectorNow(t)
	for _, tt := range []struct {
		in       string
		min, max Tid
	}{
		{"000000000000aaaa..000000000000bbbb", 0xaaaa, 0xbbbb},
		{"000000000000aaaa..", 0xaaaa, TidMax},
		{"..000000000000bbbb", 0, 0xbbbb},
		{"..", 0, TidMax},
		{"0000000000000000..0000000000000000", 0, 0},
		{"000000000000bbbb..000000000000aaaa", 0xbbbb, 0xaaaa}, // empty, not an error
		{"2018-01-01T10:30:00Z..2018-01-02T00:00:00.000000+00:00", 0x03c4857600000000, 0x03c488a000000000},
		{"1985-04-12T23:20:50.52Z..2018-01-01T10:30:00Z", 0x02b914f8d78d4fdf, 0x03c4857600000000},
		{"3.days.ago..yesterday", 0x03804de800000000, 0x0380592800000000},
		{"1_week_ago..", TidFromTime(time.Date(2009, 8, 23, 19, 20, 0, 0, time.UTC)), TidMax},
	} {
		lo, hi, err := ParseTidRange(tt.in, now)
		if err != nil {
			t.Errorf("ParseTidRange(%q): %v", tt.in, err)
		} else if lo != tt.min || hi != tt.max {
			t.Errorf("ParseTidRange(%q) = %s, %s, want %s, %s", tt.in, lo, hi, tt.min, tt.max)
		}
	}
}

func TestParseTidRangeBad(t *testing.T) {
	now := vectorNow(t)
	for _, in := range []string{
		"", "inv.alid", "000000000000aaaa", "a..b..c", "....", "...",
		"invalid..", "..invalid", "000000000000aaaa..000000000000bbbx", "now garbage..",
	} {
		lo, hi, err := ParseTidRange(in, now)
		if err == nil {
			t.Errorf("ParseTidRange(%q) = %s, %s, want an error", in, lo, hi)
			continue
		}
		if !strings.HasPrefix(err.Error(), "zodb: invalid tid range "+strconv.Quote(in)) {
			t.Errorf("ParseTidRange(%q): error %q does not name the input", in, err)
		}
	}
}

// FuzzParseTidRange checks that no input panics or hangs, and that what
// parses parses the same way again.
func FuzzParseTidRange(f *testing.F) {
	for _, seed := range []string{
		"..", "000000000000aaaa..000000000000bbbb", "2018-01-01T10:30:00Z..", "..3.days.ago",
		"6AM, June 7, 2009..noon today", "26 Aug 76 14:29 +02:00..", "...", "inv.alid",
	} {
		f.Add(seed)
	}
	for _, v := range readTimeVectors(f) {
		f.Add(v.input + ".." + v.ref)
	}
	now := vectorNow(f)
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, err := ParseTidRange(s, now)
		lo2, hi2, err2 := ParseTidRange(s, now)
		if (err == nil) != (err2 == nil) || lo != lo2 || hi != hi2 {
			t.Fatalf("ParseTidRange(%q) not deterministic: %s %s %v, then %s %s %v", s, lo, hi, err, lo2, hi2, err2)
		}
	})
}

func BenchmarkParseTidRange(b *testing.B) {
	now := vectorNow(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := ParseTidRange("6am yesterday..0285cbac258bf266", now); err != nil {
			b.Fatal(err)
		}
	}
}
