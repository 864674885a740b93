package client

import (
	"testing"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

func TestCache(t *testing.T) {
	c := newCache(1 << 20)
	c.invalidate(10, nil) // head 10
	hit := func(oid zodb.Oid, at zodb.Tid) (string, zodb.Tid, bool) {
		d, s, ok, _ := c.load(oid, at)
		return string(d), s, ok
	}
	// A current revision, loaded at head: valid at any state from its
	// serial, up to the next invalidation of its object.
	c.store(1, 5, proto.NoTid, []byte("a5"), 10)
	if d, s, ok := hit(1, zodb.TidMax); !ok || d != "a5" || s != 5 {
		t.Fatalf("current: %q %s %v", d, s, ok)
	}
	if _, _, ok := hit(1, 4); ok {
		t.Error("hit before the serial")
	}
	c.invalidate(12, []zodb.Oid{2}) // another object: a5 still current
	if _, _, ok := hit(1, 12); !ok {
		t.Error("miss after another object's invalidation")
	}
	c.invalidate(15, []zodb.Oid{1})
	if _, _, ok := hit(1, 15); ok {
		t.Error("hit after the object's invalidation")
	}
	if d, _, ok := hit(1, 14); !ok || d != "a5" {
		t.Error("miss before the invalidation")
	}
	// A load asked at head 15 answered after head moved: valid up to 15
	// only.
	c.store(2, 12, proto.NoTid, []byte("b12"), 15)
	c.invalidate(20, []zodb.Oid{3})
	c.store(3, 20, proto.NoTid, []byte("c20"), 15) // answered before 20: not current
	if _, _, ok := hit(3, 20); ok {
		t.Error("a revision learnt before head moved taken as current")
	}
	if d, _, ok := hit(2, 20); !ok || d != "b12" {
		t.Error("current revision lost")
	}
	// A deletion is cached too.
	c.store(4, 8, proto.NoTid, nil, 20)
	if d, s, ok := hit(4, 20); !ok || d != "" || s != 8 {
		t.Error("deletion not cached")
	}
	// Reconnection: current revisions are forgotten, older kept.
	c.reset(30)
	if _, _, ok := hit(2, 30); ok {
		t.Error("current revision kept over a reconnection")
	}
	if _, _, ok := hit(1, 14); !ok {
		t.Error("old revision dropped over a reconnection")
	}
	// Inserts held while a commit of this client finishes.
	c.holdInserts(true)
	c.store(5, 25, proto.NoTid, []byte("e"), 30)
	c.holdInserts(false)
	if _, _, ok := hit(5, 30); ok {
		t.Error("insert while held")
	}
}

func TestCacheBound(t *testing.T) {
	c := newCache(10 << 10)
	c.invalidate(1, nil)
	data := make([]byte, 1000)
	for oid := range zodb.Oid(100) {
		c.store(oid, 1, proto.NoTid, data, 1)
	}
	c.mu.Lock()
	size, n := c.mu.size, len(c.mu.objs)
	c.mu.Unlock()
	if size > 10<<10 || n == 0 || n > 10 {
		t.Errorf("size %d with %d objects, bound 10 KiB", size, n)
	}
	// The newest are kept.
	if _, _, ok, _ := c.load(99, 1); !ok {
		t.Error("newest revision evicted")
	}
}

func TestCacheCommitted(t *testing.T) {
	c := newCache(1 << 20)
	c.invalidate(10, []zodb.Oid{1})
	c.committed(10, map[zodb.Oid][]byte{1: []byte("mine"), 2: nil})
	if d, s, ok, _ := c.load(1, 20); !ok || string(d) != "mine" || s != 10 {
		t.Errorf("own commit not cached as current: %q %s %v", d, s, ok)
	}
	if d, s, ok, _ := c.load(2, 10); !ok || d != nil || s != 10 {
		t.Errorf("own deletion not cached")
	}
	// Head already past the commit: valid at the commit only.
	c.invalidate(15, []zodb.Oid{3})
	c.committed(12, map[zodb.Oid][]byte{3: []byte("old")})
	if _, _, ok, _ := c.load(3, 15); ok {
		t.Error("own revision taken as current after a later commit")
	}
	if d, _, ok, _ := c.load(3, 12); !ok || string(d) != "old" {
		t.Error("own revision not cached at its tid")
	}
}
