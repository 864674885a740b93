package zodb

import (
	"math"
	"strconv"
	"time"
)

// A tid is also a time: ZODB's TimeStamp (persistent.timestamp, whose C and
// Python versions agree). Its high 32 bits count minutes since 1900-01-01
// 00:00 UTC in a calendar where every month has 31 days; its low 32 bits hold
// the seconds within that minute in units of 60/2**32 s. The functions here
// repeat TimeStamp's float arithmetic, so a tid made by Go from a time is the
// tid Python makes from the same time.
const (
	tsBaseYear       = 1900
	tsMinutesPerDay  = 24 * 60
	tsMinutesPerMon  = 31 * tsMinutesPerDay // months are 31 days long
	tsMinutesPerYear = 12 * tsMinutesPerMon

	// tsSecondUnit is TimeStamp's TS_SECOND_BYTES_BIAS, 60/2**32 s. It is
	// exactly representable, so dividing by it rounds once, as C does.
	tsSecondUnit = 60.0 / (1 << 32)
)

// tsParts is a tid split into TimeStamp's fields. Day may exceed the length of
// its month (a tid is any 64-bit value), as TimeStamp allows.
type tsParts struct {
	year, month, day int // month and day count from 1
	minute           int // minutes since midnight
	frac             uint32
}

func (t Tid) parts() tsParts {
	a := uint32(t >> 32)
	return tsParts{
		year:   int(a/tsMinutesPerYear) + tsBaseYear,
		month:  int(a%tsMinutesPerYear/tsMinutesPerMon) + 1,
		day:    int(a%tsMinutesPerMon/tsMinutesPerDay) + 1,
		minute: int(a % tsMinutesPerDay),
		frac:   uint32(t),
	}
}

// seconds returns the seconds within the minute as TimeStamp.second() does.
// The product is exact: frac*60 fits in a float64 mantissa.
func (p tsParts) seconds() float64 { return float64(p.frac) * tsSecondUnit }

// minutesSinceBase packs the date and minute part as TimeStamp does, without
// checking ranges. ok is false when the value does not fit in 32 bits, where
// the C TimeStamp silently wraps and the Python one fails.
func minutesSinceBase(year, month, day, minute int) (a uint32, ok bool) {
	if year < tsBaseYear {
		return 0, false
	}
	v := (((int64(year-tsBaseYear)*12+int64(month-1))*31+int64(day-1))*24*60 + int64(minute))
	if v < 0 || v > math.MaxUint32 {
		return 0, false
	}
	return uint32(v), true
}

// fracFromSeconds packs seconds as TimeStamp does: divide by the unit and
// truncate (C casts to unsigned int; Python calls int()).
func fracFromSeconds(sec float64) uint32 {
	v := sec / tsSecondUnit
	switch {
	case !(v >= 0): // negative or NaN; a time.Time never gives either
		return 0
	case v >= 1<<32: // 60.0 or more; a time.Time never gives it either
		return math.MaxUint32
	}
	return uint32(v)
}

// tidFromTime is TidFromTime that reports times TimeStamp cannot represent.
func tidFromTime(t time.Time) (Tid, bool) {
	t = t.UTC()
	a, ok := minutesSinceBase(t.Year(), int(t.Month()), t.Day(), t.Hour()*60+t.Minute())
	if !ok {
		return 0, false
	}
	// Python builds the seconds as second + microsecond/1e6; for a time with
	// whole microseconds nanosecond/1e9 is the same float, as both divisions
	// round the same rational number.
	sec := float64(t.Second()) + float64(t.Nanosecond())/1e9
	return Tid(uint64(a)<<32 | uint64(fracFromSeconds(sec))), true
}

// TidFromTime returns the tid of time t as Python's
// TimeStamp(year, month, day, hour, minute, second) builds it from t's UTC
// fields, bit for bit. Times TimeStamp cannot represent are clamped: before
// 1900 gives 0, after its last minute (in year 9917) gives the greatest tid.
func TidFromTime(t time.Time) Tid {
	tid, ok := tidFromTime(t)
	if !ok {
		if t.UTC().Year() < tsBaseYear {
			return 0
		}
		return math.MaxUint64
	}
	return tid
}

// Time returns the time tid t stands for, in UTC. Year to minute are
// TimeStamp's; the seconds are TimeStamp.second() rounded up to the next
// nanosecond, so that TidFromTime(t.Time()) == t for every tid whose date is
// valid. A day past its month's end (which no ZODB writes) overflows into the
// next month, as TimeStamp.timeTime() does.
func (t Tid) Time() time.Time {
	p := t.parts()
	// frac * 60e9 / 2**32 ns, with the fraction reduced to 29296875 / 2**21
	// so that the product fits in 64 bits.
	ns := (uint64(p.frac)*29296875 + (1<<21 - 1)) >> 21
	return time.Date(p.year, time.Month(p.month), p.day, p.minute/60, p.minute%60, 0, int(ns), time.UTC)
}

// TimeString returns the text Python's str(TimeStamp(tid)) gives, as fsdump
// and fstail print it: "2024-01-02 03:05:41.944713". The seconds are printed
// with C's "%09.6f", so a value just under 60 may print as "60.000000".
func (t Tid) TimeString() string {
	p := t.parts()
	b := make([]byte, 0, 26)
	b = appendPadded(b, p.year, 4)
	b = append(b, '-')
	b = appendPadded(b, p.month, 2)
	b = append(b, '-')
	b = appendPadded(b, p.day, 2)
	b = append(b, ' ')
	b = appendPadded(b, p.minute/60, 2)
	b = append(b, ':')
	b = appendPadded(b, p.minute%60, 2)
	b = append(b, ':')
	// strconv rounds the exact binary value half to even, as printf does.
	sec := strconv.FormatFloat(p.seconds(), 'f', 6, 64)
	for i := len(sec); i < 9; i++ {
		b = append(b, '0')
	}
	return string(append(b, sec...))
}

// appendPadded appends the non-negative v in decimal, zero-padded to width.
func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// TidAfter returns the tid ZODB gives a transaction committed at now when the
// last committed tid is prev: TimeStamp(now).laterThan(prev), with now taken
// the way ZODB's newTid and FileStorage take time.time(), as a float of Unix
// seconds split by gmtime(t) and t % 60. That float keeps only about 0.2µs,
// so the result may differ from TidFromTime(now) in the last bits, as
// Python's does. When now's tid is not greater than prev, the result is the
// smallest TimeStamp after prev.
func TidAfter(prev Tid, now time.Time) Tid {
	if tid := tidFromUnixFloat(pyTime(now)); tid > prev {
		return tid
	}
	if uint32(prev) != math.MaxUint32 {
		return prev + 1
	}
	// The seconds are exhausted: like the C TimeStamp, move to the start of
	// the next minute of the real calendar, carrying into day, month, year.
	p := prev.parts()
	p.minute++
	if p.minute == tsMinutesPerDay {
		p.minute = 0
		if p.day >= daysIn(p.year, p.month) {
			p.day = 1
			p.month++
			if p.month == 13 {
				p.month = 1
				p.year++
			}
		} else {
			p.day++
		}
	}
	a, ok := minutesSinceBase(p.year, p.month, p.day, p.minute)
	if !ok { // past the last minute TimeStamp has: nothing is later
		return math.MaxUint64
	}
	return Tid(uint64(a) << 32)
}

// pyTime returns now as CPython's time.time() would: nanoseconds since the
// epoch converted to a float, then divided by 1e9 (or whole seconds converted
// directly, which is exact).
func pyTime(now time.Time) float64 {
	if y := now.Year(); y < 1678 || y > 2261 { // out of int64 nanoseconds
		return float64(now.Unix()) + float64(now.Nanosecond())/1e9
	}
	ns := now.UnixNano()
	if ns%1e9 == 0 {
		return float64(ns / 1e9)
	}
	return float64(ns) / 1e9
}

// tidFromUnixFloat is TimeStamp(*gmtime(t)[:5] + (t % 60,)) as ZODB writes
// it, clamped as TidFromTime is.
func tidFromUnixFloat(t float64) Tid {
	switch {
	case math.IsNaN(t) || t < -1e12: // before 1900, where TimeStamp ends
		return 0
	case t > 1e12: // after 9917
		return math.MaxUint64
	}
	whole := math.Floor(t) // gmtime rounds toward -inf
	sec := math.Mod(t, 60) // Python's % takes the sign of the divisor
	if sec < 0 {
		sec += 60
	}
	u := time.Unix(int64(whole), 0).UTC()
	a, ok := minutesSinceBase(u.Year(), int(u.Month()), u.Day(), u.Hour()*60+u.Minute())
	if !ok {
		return TidFromTime(u)
	}
	return Tid(uint64(a)<<32 | uint64(fracFromSeconds(sec)))
}

// daysIn returns the length of a month of the Gregorian calendar.
func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
