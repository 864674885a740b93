package tools

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// GenerateOptions tune Generate. The zero value is fine.
type GenerateOptions struct {
	// Seed picks the data; the same seed and count give the same
	// database byte for byte (1 when 0).
	Seed uint64
	// TxnObjects is how many leaf objects each transaction writes (1000
	// when 0); the tree nodes and the root come in a last transaction.
	TxnObjects int
}

// GenerateStats says what Generate wrote.
type GenerateStats struct {
	Objects int   // every object: leaves, tree nodes and the root
	Txns    int   // transactions
	Bytes   int64 // bytes of object data (pickles)
}

// The classes of the generated objects, as Python ZODB imports them.
const (
	pmModule = "persistent.mapping"
	pmClass  = "PersistentMapping"
	btModule = "BTrees."
)

// btKind is one BTree flavour: its classes and node sizes (the C
// defaults: 30/250 for OO, 60/500 for IO), so trees look as Python's do.
type btKind struct {
	module, tree, bucket string
	leaf, internal       int
}

var (
	ooKind = btKind{btModule + "OOBTree", "OOBTree", "OOBucket", 30, 250}
	ioKind = btKind{btModule + "IOBTree", "IOBTree", "IOBucket", 60, 500}
)

// genBaseTime is the time of the first generated transaction: tids are
// fixed so that two runs make the same file.
var genBaseTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Generate writes a synthetic database of n leaf objects into w, which
// must be empty, for benchmarks that anyone can reproduce.
//
// The shape is an application's: the root (a PersistentMapping) holds
// "documents", an OOBTree keyed by name, and "records", an IOBTree keyed
// by number; their buckets and inner nodes are separate persistent
// objects as Python's BTrees make them. Each leaf is a PersistentMapping
// with an id, a title, a score and a payload of text from a few bytes to
// tens of KB (most small, a few large). Records are protocol-3 pickles in
// ZODB's form: the class, then the state, persistent references being
// (oid, class) tuples; Python's ZODB loads them without extra classes.
//
// Transactions are restored with fixed tids starting 2024-01-01, so the
// same n and seed give the same bytes.
//
// Errors: w is not empty; w's errors.
func Generate(ctx context.Context, w zodb.Writer, n int, opt *GenerateOptions) (GenerateStats, error) {
	if opt == nil {
		opt = &GenerateOptions{}
	}
	g := &generator{w: w, rnd: rand.New(rand.NewPCG(opt.Seed|seedIfZero(opt.Seed), 0x7a6f6462)), txnMax: opt.TxnObjects}
	if g.txnMax <= 0 {
		g.txnMax = 1000
	}
	if n < 0 {
		return g.st, fmt.Errorf("tools: generate: negative object count %d", n)
	}
	if head := w.Head(); head != 0 {
		return g.st, fmt.Errorf("tools: generate: %s is not empty (head %s)", w.URL(), head)
	}
	if err := g.run(ctx, n); err != nil {
		return g.st, fmt.Errorf("tools: generate %s: %w", w.URL(), err)
	}
	return g.st, nil
}

func seedIfZero(s uint64) uint64 {
	if s == 0 {
		return 1
	}
	return 0
}

type genRecord struct {
	oid  zodb.Oid
	data []byte
}

type generator struct {
	w       zodb.Writer
	rnd     *rand.Rand
	txnMax  int
	nextOid zodb.Oid
	pending []genRecord
	st      GenerateStats
}

// btEntry is one key of a tree and the leaf it maps to.
type btEntry struct {
	key any // string or int64
	oid zodb.Oid
}

func (g *generator) newOid() zodb.Oid {
	g.nextOid++
	return g.nextOid
}

func (g *generator) run(ctx context.Context, n int) error {
	var docs, recs []btEntry
	for i := range n {
		oid := g.newOid()
		g.add(oid, g.leaf(i))
		if i%2 == 0 {
			docs = append(docs, btEntry{fmt.Sprintf("doc-%07d", i), oid})
		} else {
			recs = append(recs, btEntry{int64(i), oid})
		}
		if len(g.pending) >= g.txnMax {
			if err := g.commit(ctx, fmt.Sprintf("leaves up to %d", i)); err != nil {
				return err
			}
		}
	}
	docsOid, recsOid := g.newOid(), g.newOid()
	g.add(docsOid, g.tree(ooKind, docs))
	g.add(recsOid, g.tree(ioKind, recs))
	g.add(0, g.root(docsOid, recsOid))
	return g.commit(ctx, "trees and root")
}

func (g *generator) add(oid zodb.Oid, data []byte) {
	g.pending = append(g.pending, genRecord{oid, data})
	g.st.Objects++
	g.st.Bytes += int64(len(data))
}

// commit writes the pending records as one transaction.
func (g *generator) commit(ctx context.Context, desc string) error {
	tid := zodb.TidFromTime(genBaseTime.Add(time.Duration(g.st.Txns) * time.Second))
	rt, err := g.w.BeginRestore(ctx, &zodb.TxnInfo{Tid: tid, Status: zodb.TxnComplete,
		User: []byte("zodb bench"), Description: []byte(desc)})
	if err != nil {
		return err
	}
	for _, r := range g.pending {
		if err := rt.Restore(ctx, r.oid, r.data, 0); err != nil {
			rt.Abort()
			return fmt.Errorf("obj %s: %w", r.oid, err)
		}
	}
	if err := rt.Vote(ctx); err != nil {
		rt.Abort()
		return err
	}
	if err := rt.Finish(ctx); err != nil {
		return err
	}
	g.pending = g.pending[:0]
	g.st.Txns++
	return nil
}

// words make the payloads text, compressible as real data is.
var genWords = []string{"zodb", "object", "persistent", "storage", "cluster",
	"partition", "record", "btree", "bucket", "transaction", "commit", "load",
	"neo", "master", "client", "cache", "index", "value", "key", "data"}

// payloadSize draws a size: 70% under 512 bytes, 25% up to 4KB, 5% up to
// 40KB, log-uniform within each band.
func (g *generator) payloadSize() int {
	lo, hi := 4.0, 512.0
	switch r := g.rnd.IntN(100); {
	case r >= 95:
		lo, hi = 4096, 40960
	case r >= 70:
		lo, hi = 512, 4096
	}
	return int(math.Exp(math.Log(lo) + g.rnd.Float64()*(math.Log(hi)-math.Log(lo))))
}

func (g *generator) payload() []byte {
	size := g.payloadSize()
	b := make([]byte, 0, size+16)
	for len(b) < size {
		b = append(b, genWords[g.rnd.IntN(len(genWords))]...)
		b = append(b, ' ')
	}
	return b[:size]
}

// leaf is the record of leaf i: PersistentMapping's state {"data": {...}}.
func (g *generator) leaf(i int) []byte {
	var p pickleBuf
	p.b = classPickle(pmModule, pmClass)
	p.proto()
	p.op(pkEmptyDict)
	p.str("data")
	p.op(pkEmptyDict, pkMark)
	p.str("id")
	p.int(int64(i))
	p.str("title")
	p.str(fmt.Sprintf("Document %d", i))
	p.str("score")
	p.float(g.rnd.Float64() * 100)
	p.str("payload")
	p.bytes(g.payload())
	p.op(pkSetItems, pkSetItem)
	p.stop()
	return p.b
}

func (g *generator) root(docs, recs zodb.Oid) []byte {
	var p pickleBuf
	p.b = classPickle(pmModule, pmClass)
	p.proto()
	p.op(pkEmptyDict)
	p.str("data")
	p.op(pkEmptyDict, pkMark)
	p.str("documents")
	p.ref(uint64(docs), ooKind.module, ooKind.tree)
	p.str("records")
	p.ref(uint64(recs), ioKind.module, ioKind.tree)
	p.op(pkSetItems, pkSetItem)
	p.stop()
	return p.b
}
