package zodb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/olebedev/when"
	"github.com/olebedev/when/rules"
	"github.com/olebedev/when/rules/en"
)

// Tid ranges and tids given as times, as zodbtools parses them (parse_tid and
// parse_tidrange in zodbtools/util.py; `zodb help tidrange`).

// ParseTidRange parses a zodbtools tid range "tidmin..tidmax" into its
// inclusive ends. Either end may be empty: an empty tidmin is 0 and an empty
// tidmax is TidMax. Each end is what ParseTidOrTime accepts; relative times
// and times without a zone are taken relative to now and in now's location.
// tidMin > tidMax is not an error: the range is then empty.
func ParseTidRange(s string, now time.Time) (tidMin, tidMax Tid, err error) {
	lo, hi, ok := strings.Cut(s, "..")
	if !ok || strings.Contains(hi, "..") {
		return 0, 0, fmt.Errorf("zodb: invalid tid range %q: want <tidmin>..<tidmax>", s)
	}
	tidMin, tidMax = 0, TidMax
	if lo != "" {
		if tidMin, err = parseTidOrTime(lo, now); err != nil {
			return 0, 0, fmt.Errorf("zodb: invalid tid range %q: %w", s, err)
		}
	}
	if hi != "" {
		if tidMax, err = parseTidOrTime(hi, now); err != nil {
			return 0, 0, fmt.Errorf("zodb: invalid tid range %q: %w", s, err)
		}
	}
	return tidMin, tidMax, nil
}

// ParseTidOrTime parses one end of a tid range as zodbtools does: 16 hex
// digits are a tid; anything else is a date or time, converted to the tid of
// its first moment as TidFromTime does, after truncation to microseconds
// (zodbtools goes through a Python datetime).
//
// Accepted times: RFC 3339 ("2018-01-01T10:30:00Z", fractions, offsets),
// RFC 822, 850 and 1123 ("26 Aug 76 14:29 GMT"), "2018-01-01 10:30:00 UTC"
// and its shorter forms, "01/02/2006" (month first, as dateparser reads it),
// and English relative times: now, today, yesterday, tomorrow, "3 days ago",
// "2 years 3 months ago", "15:00", "6am yesterday", "noon today", "June 7",
// "6AM, June 7, 2009". As in zodbtools, an input containing "ago" has its
// dots and underscores read as spaces, so "1.week.ago" and "3_days_ago"
// work. A time without a zone is in now's location; a relative time counts
// from now on the calendar of that location; a time of day starts at its
// whole minute and a date alone at its midnight, as with dateparser. Input
// with words left over is rejected rather than half understood.
func ParseTidOrTime(s string, now time.Time) (Tid, error) {
	tid, err := parseTidOrTime(s, now)
	if err != nil {
		return 0, fmt.Errorf("zodb: %w", err)
	}
	return tid, nil
}

// parseTidOrTime is ParseTidOrTime with errors that do not name the package,
// for ParseTidRange to wrap.
func parseTidOrTime(s string, now time.Time) (Tid, error) {
	// Like zodbtools, try hex only at the length of a tid: "2018-01-01T10:30"
	// is also 16 characters long.
	if len(s) == 16 {
		if tid, err := ParseTid(s); err == nil {
			return tid, nil
		}
	}
	t, err := parseTime(s, now)
	if err != nil {
		return 0, fmt.Errorf("invalid tid %q: %w", s, err)
	}
	tid, ok := tidFromTime(t.Truncate(time.Microsecond))
	if !ok {
		return 0, fmt.Errorf("invalid tid %q: %s is out of the range of tids (1900 to 9917)",
			s, t.UTC().Format(time.RFC3339))
	}
	return tid, nil
}

var errNotTime = errors.New("neither 16 hex digits nor a date/time")

// maxTimeLen bounds what parseTime reads. The longest date a person types is
// a few dozen characters; the English rules cost a few µs per byte, so a
// megabyte of garbage would otherwise take seconds to reject.
const maxTimeLen = 256

// parseTime reads s as an absolute date first, then as a relative one.
func parseTime(s string, now time.Time) (time.Time, error) {
	if strings.Contains(s, "ago") { // first, as zodbtools does
		s = strings.NewReplacer(".", " ", "_", " ").Replace(s)
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxTimeLen {
		return time.Time{}, errNotTime
	}
	if t, ok, err := parseAbsolute(s, now.Location()); ok || err != nil {
		return t, err
	}
	return parseRelative(s, now)
}

// absoluteLayouts are the fixed formats tried before the English parser; the
// first that parses wins. Layouts without a zone read the time in the
// location of now, as dateparser reads it in the local zone. When parsing,
// Go accepts a fraction after the seconds even where a layout has none, and
// "_2" takes a day of one or two digits.
var absoluteLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04 MST",
	"2006-01-02 15:04",
	"2006-01-02 MST",
	"2006-01-02",
	"_2 Jan 06 15:04 MST", // RFC 822
	"_2 Jan 06 15:04 -0700",
	"_2 Jan 06 15:04 -07:00",
	"_2 Jan 2006 15:04 MST",
	"_2 Jan 2006 15:04 -0700",
	"_2 Jan 2006 15:04 -07:00",
	"Mon, _2 Jan 06 15:04 MST",
	"Mon, _2 Jan 06 15:04 -0700",
	"Mon, _2 Jan 2006 15:04:05 MST", // RFC 1123
	"Mon, _2 Jan 2006 15:04:05 -0700",
	"Monday, _2-Jan-06 15:04:05 MST", // RFC 850
	"01/02/2006",
}

// parseAbsolute tries absoluteLayouts. ok is false when none matches; err is
// set when one matches but names a zone abbreviation nobody can resolve.
func parseAbsolute(s string, loc *time.Location) (t time.Time, ok bool, err error) {
	for _, layout := range absoluteLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		t, err = resolveZone(t, loc)
		return t, true, err
	}
	return time.Time{}, false, nil
}

// zoneOffsets are the abbreviations RFC 822 defines, plus Europe's; Go leaves
// any abbreviation that loc does not use at offset 0, which would be wrong.
var zoneOffsets = map[string]int{
	"UT": 0, "GMT": 0, "UTC": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
}

// resolveZone fixes a time whose zone abbreviation time.ParseInLocation did
// not know. Parse then makes up a zone and keeps the wall clock as if it were
// UTC, at offset 0 (or h hours for "GMT+h"), so the instant is wrong unless
// the zone really was at offset 0.
func resolveZone(t time.Time, loc *time.Location) (time.Time, error) {
	name, offset := t.Zone()
	if t.Location() == loc || t.Location() == time.UTC || name == "" {
		return t, nil // loc knew the abbreviation, or UTC, a numeric offset, no zone
	}
	if !strings.HasPrefix(name, "GMT") {
		hours, known := zoneOffsets[name]
		if !known {
			return time.Time{}, fmt.Errorf("unknown time zone %q", name)
		}
		offset = hours * 3600
	}
	wall := t.UTC()
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(),
		wall.Nanosecond(), time.FixedZone(name, offset)), nil
}

// parseRelative reads English dates and times with olebedev/when, relative to
// now and in its location, and insists that the rules it applied cover all of
// s but blanks, commas and "at": when alone takes the first phrase it
// recognises and ignores the rest.
//
// The result follows dateparser where when does not: a time of day starts at
// its whole minute ("6am yesterday" is 06:00:00.000000, not 06:00 plus now's
// seconds), and a date without a time of day is its midnight.
func parseRelative(s string, now time.Time) (time.Time, error) {
	var st relState
	p := when.New(nil)
	for _, r := range relativeRules() {
		p.Add(trackedRule{r, &st})
	}
	res, err := p.Parse(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", errNotTime, err)
	}
	if res == nil {
		return time.Time{}, errNotTime
	}
	if rest := st.uncovered(s); rest != "" {
		return time.Time{}, fmt.Errorf("%w: %q not understood", errNotTime, rest)
	}
	t := res.Time
	switch {
	case st.clock:
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, t.Location())
	case st.date:
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	}
	return t, nil
}

// relativeRules returns the rules parseRelative applies: when's English
// times of day and month dates, and ours for days, "ago" and years.
//
// Left out of when's: its day/month/year rule (dateparser reads "06/05/2009"
// month first, as absoluteLayouts does), weekdays and "last night" (which
// dateparser does not read), deadlines ("in 2 days", no use for a tid range),
// and its casual dates and "ago", which count days as 24 hours and months
// without carrying years; dayRule and agoRule count on the calendar, as
// dateparser's relativedelta does.
var relativeRules = sync.OnceValue(func() []rules.Rule {
	return []rules.Rule{
		dayRule(),
		agoRule(),
		en.CasualTime(rules.Override),
		en.Hour(rules.Override),
		en.HourMinute(rules.Override),
		en.ExactMonthDate(rules.Override),
		yearRule(),
	}
})

// shiftTo adds to the context's offset the time from ref to t. when applies
// the offset before absolute fields, so "6am yesterday" is 6am of the day
// before.
func shiftTo(c *rules.Context, ref, t time.Time) {
	c.Duration += t.Sub(ref)
}

// dayRule reads now, today, yesterday and tomorrow: a calendar day in now's
// location, which is not 24 hours across a change of summer time.
func dayRule() rules.Rule {
	return &rules.F{
		RegExp: regexp.MustCompile(`(?i)(?:\W|^)(now|today|yesterday|tomorrow)(?:\W|$)`),
		Applier: func(m *rules.Match, c *rules.Context, _ *rules.Options, ref time.Time) (bool, error) {
			days := map[string]int{"yesterday": -1, "tomorrow": 1}[strings.ToLower(m.Captures[0])]
			shiftTo(c, ref, ref.AddDate(0, 0, days))
			return true, nil
		},
	}
}

var agoUnit = regexp.MustCompile(`(?i)(\d+|an?)\s*(sec|min|hour|hr|day|week|month|year)[a-z]*`)

// agoRule reads "5 seconds ago", "an hour ago", "2 years 3 months ago" as
// dateparser does: now minus a relativedelta, counted on the wall clock of
// now's location; a month back from March 31 is February's last day.
func agoRule() rules.Rule {
	const unit = `(?:\d+|an?)\s*(?:secs?|seconds?|mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?)`
	return &rules.F{
		RegExp: regexp.MustCompile(`(?i)(?:\W|^)(` + unit + `(?:[\s,]+(?:and\s+)?` + unit + `)*\s+ago)(?:\W|$)`),
		Applier: func(m *rules.Match, c *rules.Context, _ *rules.Options, ref time.Time) (bool, error) {
			var years, months, days, hours, minutes, seconds int
			for _, u := range agoUnit.FindAllStringSubmatch(m.Captures[0], -1) {
				n := 1 // "a", "an"
				if u[1][0] >= '0' && u[1][0] <= '9' {
					var err error
					if n, err = strconv.Atoi(u[1]); err != nil || n > 1e6 {
						return false, fmt.Errorf("%q: too far back", m.Captures[0])
					}
				}
				switch unit := strings.ToLower(u[2]); unit {
				case "year":
					years += n
				case "month":
					months += n
				case "week":
					days += 7 * n
				case "day":
					days += n
				case "hour", "hr":
					hours += n
				case "min":
					minutes += n
				case "sec":
					seconds += n
				}
			}
			t := monthsBefore(ref, 12*years+months)
			t = time.Date(t.Year(), t.Month(), t.Day()-days, t.Hour()-hours, t.Minute()-minutes,
				t.Second()-seconds, t.Nanosecond(), t.Location())
			if t.Year() < tsBaseYear {
				return false, fmt.Errorf("%q: before %d", m.Captures[0], tsBaseYear)
			}
			shiftTo(c, ref, t)
			return true, nil
		},
	}
}

// monthsBefore moves t back n months, keeping its day unless the month is
// shorter, as relativedelta does.
func monthsBefore(t time.Time, n int) time.Time {
	m := t.Year()*12 + int(t.Month()) - 1 - n
	year, month := m/12, m%12+1
	if m < 0 { // floor division; only for absurd n, which the caller rejects
		year, month = (m-11)/12, (m%12+12)%12+1
	}
	day := min(t.Day(), daysIn(year, month))
	return time.Date(year, time.Month(month), day, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// yearRule takes a year after a date, as in "6AM, June 7, 2009", which when
// alone reads as June 7 of now's year.
func yearRule() rules.Rule {
	return &rules.F{
		RegExp: regexp.MustCompile(`(?:^|[\s,])((?:19|[2-9]\d)\d\d)(?:\W|$)`),
		Applier: func(m *rules.Match, c *rules.Context, _ *rules.Options, _ time.Time) (bool, error) {
			year, err := strconv.Atoi(m.Captures[0])
			if err != nil {
				return false, nil
			}
			c.Year = &year
			return true, nil
		},
	}
}

// relState is what parseRelative learns while when applies its rules: the
// spans of input they consumed, and whether they set a time of day or a date.
type relState struct {
	spans       [][2]int
	clock, date bool
}

// uncovered returns the words of s outside every span, but for the filler
// "at" ("yesterday at 6pm"); "" means the rules understood all of s. Blanks
// and commas separate words.
func (st *relState) uncovered(s string) string {
	b := []byte(s)
	for _, sp := range st.spans {
		for i := max(sp[0], 0); i < min(sp[1], len(b)); i++ {
			b[i] = ' '
		}
	}
	var rest []string
	for _, w := range strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if !strings.EqualFold(w, "at") {
			rest = append(rest, w)
		}
	}
	return strings.Join(rest, " ")
}

// trackedRule wraps a when rule so that applying its match records in st the
// span it covers and the fields it set.
type trackedRule struct {
	rules.Rule
	st *relState
}

func (r trackedRule) Find(s string) *rules.Match {
	m := r.Rule.Find(s)
	if m == nil {
		return nil
	}
	apply := m.Applier
	m.Applier = func(m *rules.Match, c *rules.Context, o *rules.Options, ref time.Time) (bool, error) {
		ok, err := apply(m, c, o, ref)
		if ok && err == nil {
			r.st.spans = append(r.st.spans, [2]int{m.Left, m.Right})
			r.st.clock = c.Hour != nil || c.Minute != nil
			r.st.date = c.Year != nil || c.Month != nil || c.Weekday != nil || c.Day != nil
		}
		return ok, err
	}
	return m
}
