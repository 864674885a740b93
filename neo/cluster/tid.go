package cluster

import (
	"math"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// TidFromUnix is NEO/py's util.tidFromTime: the UTC date and minute of t
// (seconds since the epoch) in the high 32 bits, the seconds within the
// minute in units of 60/2^32 s, truncated, in the low ones (at most
// 2^32-1, for leap seconds). The master makes tids from it; neoctl reads
// its TID arguments with it.
func TidFromUnix(t float64) zodb.Tid {
	u := time.Unix(int64(math.Floor(t)), 0).UTC()
	hi := ((((u.Year()-1900)*12+int(u.Month())-1)*31+u.Day()-1)*24+u.Hour())*60 + u.Minute()
	lo := (float64(u.Second()) + (t - math.Trunc(t))) / (60.0 / (1 << 32))
	low := uint64(math.MaxUint32)
	if lo < math.MaxUint32 {
		low = uint64(lo)
	}
	return zodb.Tid(uint64(uint32(hi))<<32 | low)
}
