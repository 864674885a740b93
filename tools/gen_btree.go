package tools

import "github.com/zodbneo/zodbneo/zodb"

// tree returns the record of a BTree of kind k holding entries (sorted),
// adding its buckets and inner nodes as records of their own, as Python's
// BTrees store them:
//
//	empty tree:      None
//	one bucket:      (((k0, v0, k1, v1, ...),),)   the bucket inline
//	bucket:          ((k0, v0, ...), next_bucket)  or ((k0, v0, ...),) for the last
//	inner node:      ((child0, key1, child1, ...), first_bucket)
func (g *generator) tree(k btKind, entries []btEntry) []byte {
	var p pickleBuf
	p.b = classPickle(k.module, k.tree)
	p.proto()
	switch {
	case len(entries) == 0:
		p.op(pkNone)
	case len(entries) <= k.leaf:
		g.items(&p, entries)
		p.op(pkTuple1, pkTuple1, pkTuple1)
	default:
		lv := g.buckets(k, entries)
		// Group children under inner nodes until the top fits one node.
		for len(lv.oids) > k.internal {
			lv = g.innerLevel(k, lv)
		}
		g.node(&p, k, lv, 0, len(lv.oids))
	}
	p.stop()
	return p.b
}

// btLevel is one level of a tree being built: its nodes in key order,
// the first key under each, the first bucket under each, their class.
type btLevel struct {
	oids   []zodb.Oid
	keys   []any
	firsts []zodb.Oid
	class  string
}

func pushKey(p *pickleBuf, key any) {
	switch key := key.(type) {
	case string:
		p.str(key)
	case int64:
		p.int(key)
	}
}

// items pushes the flat (k0, v0, k1, v1, ...) tuple of a bucket.
func (g *generator) items(p *pickleBuf, entries []btEntry) {
	p.op(pkMark)
	for _, e := range entries {
		pushKey(p, e.key)
		p.ref(uint64(e.oid), pmModule, pmClass)
	}
	p.op(pkTuple)
}

// buckets adds the buckets holding entries, linked in order.
func (g *generator) buckets(k btKind, entries []btEntry) btLevel {
	lv := btLevel{class: k.bucket}
	for i := 0; i < len(entries); i += k.leaf {
		lv.oids = append(lv.oids, g.newOid())
		lv.keys = append(lv.keys, entries[i].key)
	}
	lv.firsts = lv.oids
	for i, oid := range lv.oids {
		chunk := entries[i*k.leaf : min((i+1)*k.leaf, len(entries))]
		var p pickleBuf
		p.b = classPickle(k.module, k.bucket)
		p.proto()
		g.items(&p, chunk)
		if i+1 < len(lv.oids) {
			p.ref(uint64(lv.oids[i+1]), k.module, k.bucket)
			p.op(pkTuple2)
		} else {
			p.op(pkTuple1)
		}
		p.stop()
		g.add(oid, p.b)
	}
	return lv
}

// innerLevel adds inner nodes of at most k.internal children each over lv.
func (g *generator) innerLevel(k btKind, lv btLevel) btLevel {
	up := btLevel{class: k.tree}
	for i := 0; i < len(lv.oids); i += k.internal {
		j := min(i+k.internal, len(lv.oids))
		var p pickleBuf
		p.b = classPickle(k.module, k.tree)
		p.proto()
		g.node(&p, k, lv, i, j)
		p.stop()
		oid := g.newOid()
		g.add(oid, p.b)
		up.oids = append(up.oids, oid)
		up.keys = append(up.keys, lv.keys[i])
		up.firsts = append(up.firsts, lv.firsts[i])
	}
	return up
}

// node pushes the state of an inner node over lv's children [i, j).
func (g *generator) node(p *pickleBuf, k btKind, lv btLevel, i, j int) {
	p.op(pkMark)
	for c := i; c < j; c++ {
		if c > i {
			pushKey(p, lv.keys[c])
		}
		p.ref(uint64(lv.oids[c]), k.module, lv.class)
	}
	p.op(pkTuple)
	p.ref(uint64(lv.firsts[i]), k.module, k.bucket)
	p.op(pkTuple2)
}
