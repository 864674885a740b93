package mount

import (
	"container/list"
	"sync"
)

// cache keeps recently computed values — loaded records, rendered file
// contents — up to a budget of bytes, dropping the least recently used.
// Every value cached is immutable: a key names its content for good (it
// holds the state's tid). It is safe for concurrent use.
type cache struct {
	mu     sync.Mutex
	budget int64
	used   int64     // guarded by mu
	lru    list.List // of *cacheEntry, most recent first; guarded by mu
	byKey  map[any]*list.Element
}

type cacheEntry struct {
	key  any
	val  any
	size int64
}

func newCache(budget int64) *cache {
	return &cache{budget: budget, byKey: map[any]*list.Element{}}
}

// get returns the value cached for key.
func (c *cache) get(key any) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).val, true
}

// put caches val, counting size bytes for it. A value larger than the
// whole budget is not cached.
func (c *cache) put(key, val any, size int64) {
	size += 64 // the entry's own cost
	if size > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		old := e.Value.(*cacheEntry)
		c.used += size - old.size
		old.val, old.size = val, size
		c.lru.MoveToFront(e)
	} else {
		c.byKey[key] = c.lru.PushFront(&cacheEntry{key: key, val: val, size: size})
		c.used += size
	}
	for c.used > c.budget {
		e := c.lru.Back()
		ce := e.Value.(*cacheEntry)
		c.lru.Remove(e)
		delete(c.byKey, ce.key)
		c.used -= ce.size
	}
}
