package storage

import (
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// objCache keeps the current revision of objects recently loaded, so
// that the loads clients make most (the current revision, or the last
// one before their snapshot) skip the database. NEO/py has no such cache;
// answers are the same since an entry is dropped as soon as a new
// revision of its object is unlocked.
//
// An entry is filled after a database read made outside the node lock:
// gen, bumped at every change of committed data, tells whether something
// was committed meanwhile, in which case the read is not cached.
// REQUIRES: the node lock held for every method.
type objCache struct {
	gen  uint64
	m    map[zodb.Oid]*backend.Object
	size int // bytes of data held
	max  int
}

// cacheMax bounds the data the cache holds.
const cacheMax = 32 << 20

func newObjCache(max int) *objCache {
	return &objCache{m: map[zodb.Oid]*backend.Object{}, max: max}
}

// get returns the revision AskObject(oid, at, before) names if cached.
func (c *objCache) get(oid zodb.Oid, at, before zodb.Tid) *backend.Object {
	o := c.m[oid]
	switch {
	case o == nil:
		return nil
	case at != proto.NoTid:
		if at == o.Serial {
			return o
		}
	case before != proto.NoTid:
		if o.Serial < before {
			return o
		}
	default:
		return o
	}
	return nil
}

// put caches o, read when the generation was gen, if it is current.
func (c *objCache) put(o *backend.Object, gen uint64) {
	if gen != c.gen || o.NextSerial != proto.NoTid || len(o.Data) > c.max/16 {
		return
	}
	if old := c.m[o.Oid]; old != nil {
		c.size -= len(old.Data)
	}
	c.m[o.Oid] = o
	c.size += len(o.Data)
	if c.size > c.max {
		// Drop entries in the map's (random) order down to 3/4.
		for oid, e := range c.m {
			if c.size <= c.max*3/4 {
				break
			}
			delete(c.m, oid)
			c.size -= len(e.Data)
		}
	}
}

// invalidate drops oids: new revisions of them are committed.
func (c *objCache) invalidate(oids map[zodb.Oid]*storeRec) {
	c.gen++
	for oid := range oids {
		if e := c.m[oid]; e != nil {
			c.size -= len(e.Data)
			delete(c.m, oid)
		}
	}
}

// clear drops everything (committed data changed otherwise: recovery,
// partitions dropped).
func (c *objCache) clear() {
	c.gen++
	c.m = map[zodb.Oid]*backend.Object{}
	c.size = 0
}
