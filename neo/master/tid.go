package master

import (
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/zodb"
)

// tidLowOverflow is 2^32: the low half of a tid counts 60/2^32 s units.
const tidLowOverflow = 1 << 32

// packTID is a tid of g's minute and low in 60/2^32 s units (at most
// 2^32-1).
func packTID(g time.Time, low int64) zodb.Tid {
	high := ((((uint64(g.Year()-1900)*12+uint64(g.Month()-1))*31+uint64(g.Day()-1))*24)+uint64(g.Hour()))*60 + uint64(g.Minute())
	if low > tidLowOverflow-1 {
		low = tidLowOverflow - 1
	}
	return zodb.Tid(high<<32 | uint64(low))
}

// unpackTID returns the minute a tid's high half names (as a time) and its
// low half.
func unpackTID(tid zodb.Tid) (time.Time, uint64) {
	h := uint64(tid) >> 32
	minute := h % 60
	h /= 60
	hour := h % 24
	h /= 24
	day := h % 31
	h /= 31
	month := h % 12
	year := h/12 + 1900
	return time.Date(int(year), time.Month(month+1), int(day+1), int(hour), int(minute), 0, 0, time.UTC), uint64(tid) & (tidLowOverflow - 1)
}

// addTID is NEO/py's util.addTID: tid + offset low units, carrying into
// the minutes as dates do.
func addTID(tid zodb.Tid, offset uint64) zodb.Tid {
	g, low := unpackTID(tid)
	low += offset
	if carry := low / tidLowOverflow; carry > 0 {
		g = g.Add(time.Duration(carry) * time.Minute)
		low %= tidLowOverflow
	}
	return packTID(g, int64(low))
}

// nowFunc is the clock tids are made from (tests replace it).
var nowFunc = func() float64 { return float64(time.Now().UnixNano()) / 1e9 }

// nextTID is NEO/py's TransactionManager._nextTID: a tid from the clock,
// above minTid (the last tid given or committed). With a ttid, the tid
// is adjusted to be in the same partition as ttid (tid % divisor ==
// ttid % divisor) — so the transaction metadata the storages stored
// under ttid stays in its partition — preferring a smaller tid to
// fast-forwarding.
func nextTID(minTid, ttid zodb.Tid, hasTTid bool, divisor uint64) zodb.Tid {
	tid := cluster.TidFromUnix(nowFunc())
	if tid <= minTid {
		if hasTTid && ttid == minTid {
			return ttid
		}
		tid = addTID(minTid, 1)
	}
	if hasTTid {
		rem := uint64(ttid) % divisor
		if delta := int64(rem) - int64(uint64(tid)%divisor); delta != 0 {
			// addTID with a negative offset: NEO/py adds a negative
			// number to the low half; it never underflows the minute
			// in practice, but carry correctly anyway.
			tid = addSigned(tid, delta)
			if tid <= minTid {
				tid = addTID(tid, divisor)
			}
		}
	}
	return tid
}

func addSigned(tid zodb.Tid, delta int64) zodb.Tid {
	if delta >= 0 {
		return addTID(tid, uint64(delta))
	}
	g, low := unpackTID(tid)
	l := int64(low) + delta
	if l < 0 {
		borrow := (-l + tidLowOverflow - 1) / tidLowOverflow
		g = g.Add(-time.Duration(borrow) * time.Minute)
		l += borrow * tidLowOverflow
	}
	return packTID(g, l)
}
