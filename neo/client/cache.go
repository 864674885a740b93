package client

import (
	"sync"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// cache keeps recent object revisions, as NEO/py's cache.py: each revision
// with the range of states [serial, end) where it is the current one. A
// revision whose end is not known yet (the object's current one) has
// end 0 and is valid at every state up to head: the invalidation of its
// object, which comes before head moves past the next revision, sets its
// end. It also holds head, the last transaction the client knows of, so
// that both change together.
//
// Data are kept uncompressed and owned by the cache; the size bound
// counts data bytes. Eviction is FIFO with a second chance for revisions
// hit since they were queued.
type cache struct {
	mu struct {
		sync.Mutex
		max     int64
		size    int64
		objs    map[zodb.Oid][]*rev
		queue   []*rev // eviction order
		head    zodb.Tid
		holdIns int // > 0: loads must not fill the cache (a commit finishing)
	}
}

type rev struct {
	oid    zodb.Oid
	serial zodb.Tid
	end    zodb.Tid // exclusive; 0 = current
	data   []byte
	hit    bool
	gone   bool // dropped from objs; still in queue
}

func newCache(max int64) *cache {
	c := &cache{}
	c.mu.max = max
	c.mu.objs = map[zodb.Oid][]*rev{}
	return c
}

// head returns the last transaction known.
func (c *cache) head() zodb.Tid {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.head
}

// load looks up oid at state at, clamped to head. It returns a copy of the
// data on a hit, and in any case the state the caller must ask the
// storage for on a miss (at clamped to head).
func (c *cache) load(oid zodb.Oid, at zodb.Tid) (data []byte, serial zodb.Tid, ok bool, qat zodb.Tid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at > c.mu.head {
		at = c.mu.head
	}
	for _, r := range c.mu.objs[oid] {
		if r.serial <= at && (r.end == 0 || at < r.end) {
			r.hit = true
			if r.data == nil {
				return nil, r.serial, true, at
			}
			return append(make([]byte, 0, len(r.data)), r.data...), r.serial, true, at
		}
	}
	return nil, 0, false, at
}

// store records that data (nil for a deletion) is oid's revision serial,
// replaced by next (proto.NoTid: current when the storage answered),
// as learnt by a load asked when head was qhead. data is copied.
func (c *cache) store(oid zodb.Oid, serial, next zodb.Tid, data []byte, qhead zodb.Tid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.max <= 0 || c.mu.holdIns > 0 || int64(len(data)) > c.mu.max/2 {
		return
	}
	end := next
	if next == proto.NoTid {
		end = 0
		if c.mu.head != qhead {
			// Invalidations came in since the load was asked: the
			// revision is known to be current only up to qhead.
			end = qhead + 1
		}
	}
	if end != 0 && end <= serial {
		return
	}
	for _, r := range c.mu.objs[oid] {
		if r.serial == serial {
			return
		}
	}
	r := &rev{oid: oid, serial: serial, end: end}
	if data != nil {
		r.data = append(make([]byte, 0, len(data)), data...)
	}
	c.mu.objs[oid] = append(c.mu.objs[oid], r)
	c.mu.queue = append(c.mu.queue, r)
	c.mu.size += int64(len(data)) + revOverhead
	c.evictLocked()
}

// revOverhead is what a revision costs beyond its data, counted so that
// many small records do not grow the cache without bound.
const revOverhead = 64

// evictLocked drops revisions until the size is within bounds.
// REQUIRES: mu held.
func (c *cache) evictLocked() {
	for c.mu.size > c.mu.max && len(c.mu.queue) > 0 {
		r := c.mu.queue[0]
		c.mu.queue[0] = nil
		c.mu.queue = c.mu.queue[1:]
		if r.gone {
			continue
		}
		if r.hit {
			r.hit = false
			c.mu.queue = append(c.mu.queue, r)
			continue
		}
		c.dropLocked(r)
	}
	if cap(c.mu.queue) > 4*len(c.mu.queue)+64 {
		c.mu.queue = append([]*rev(nil), c.mu.queue...)
	}
}

// dropLocked removes r from objs. REQUIRES: mu held.
func (c *cache) dropLocked(r *rev) {
	revs := c.mu.objs[r.oid]
	for i, x := range revs {
		if x == r {
			revs = append(revs[:i:i], revs[i+1:]...)
			break
		}
	}
	if len(revs) == 0 {
		delete(c.mu.objs, r.oid)
	} else {
		c.mu.objs[r.oid] = revs
	}
	r.gone = true
	c.mu.size -= int64(len(r.data)) + revOverhead
}

// invalidate applies the commit of oids by tid and moves head to tid
// (never back).
func (c *cache) invalidate(tid zodb.Tid, oids []zodb.Oid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, oid := range oids {
		for _, r := range c.mu.objs[oid] {
			if r.end == 0 {
				if r.serial < tid {
					r.end = tid
				} else {
					c.dropLocked(r)
				}
				break
			}
		}
	}
	if tid > c.mu.head {
		c.mu.head = tid
	}
}

// reset sets head after a (re)connection to the master: revisions still
// current are forgotten, as changes may have been missed; all are when
// the database went back (truncated).
func (c *cache) reset(head zodb.Tid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if head == c.mu.head {
		return
	}
	for _, revs := range c.mu.objs {
		for _, r := range revs {
			if r.end == 0 || head < c.mu.head {
				c.dropLocked(r)
			}
		}
	}
	c.mu.head = head
}

// holdInserts stops (hold true) or allows again loads filling the cache.
func (c *cache) holdInserts(hold bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hold {
		c.mu.holdIns++
	} else {
		c.mu.holdIns--
	}
}

// forget drops the revisions of oids that are current.
func (c *cache) forget(oids []zodb.Oid) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, oid := range oids {
		for _, r := range c.mu.objs[oid] {
			if r.end == 0 {
				c.dropLocked(r)
				break
			}
		}
	}
}

// committed records the revisions this client's commit tid wrote (nil
// for a deletion): current if head is still tid, else valid at tid only
// (a later commit may have replaced them already). It is called while
// inserts are held, which it bypasses.
func (c *cache) committed(tid zodb.Tid, revs map[zodb.Oid][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.max <= 0 {
		return
	}
	end := zodb.Tid(0)
	if c.mu.head != tid {
		end = tid + 1
	}
	for oid, data := range revs {
		if int64(len(data)) > c.mu.max/2 {
			continue
		}
		r := &rev{oid: oid, serial: tid, end: end, data: data}
		c.mu.objs[oid] = append(c.mu.objs[oid], r)
		c.mu.queue = append(c.mu.queue, r)
		c.mu.size += int64(len(data)) + revOverhead
	}
	c.evictLocked()
}
