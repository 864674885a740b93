package tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// The sub-benchmarks Bench knows, in the order it runs them.
const (
	BenchLoad           = "load"            // every current object once: cold, then warm
	BenchZhash          = "zhash"           // load and hash every current object
	BenchLoadConcurrent = "load-concurrent" // every current object once, from Jobs goroutines
	BenchIterate        = "iterate"         // every transaction and record
	BenchCommit         = "commit"          // new transactions of 1, 10, 100 objects
)

// BenchNames lists every sub-benchmark; DefaultBenches those run when
// none is asked for (commit writes, so it is never a default).
var (
	BenchNames     = []string{BenchLoad, BenchZhash, BenchLoadConcurrent, BenchIterate, BenchCommit}
	DefaultBenches = []string{BenchLoad, BenchZhash, BenchLoadConcurrent, BenchIterate}
)

// BenchOptions tune Bench. The zero value runs DefaultBenches.
type BenchOptions struct {
	// Benches names the sub-benchmarks to run (DefaultBenches when empty).
	Benches []string
	// Jobs is the number of goroutines of load-concurrent (8 when 0).
	Jobs int
	// Commit must be set for the commit benchmark to run: it adds
	// transactions to the database.
	Commit bool
	// Size is the data size of each committed object (128 when 0).
	Size int
	// CommitTxns is the number of transactions committed for each
	// transaction size (50 when 0).
	CommitTxns int
}

// BenchReport is what Bench measured.
type BenchReport struct {
	URL        string        `json:"url"`
	Head       string        `json:"head"`    // the tid loads were made at
	Objects    int           `json:"objects"` // current objects
	Bytes      int64         `json:"bytes"`   // their data
	GoMaxProcs int           `json:"gomaxprocs"`
	Results    []BenchResult `json:"results"`
}

// BenchResult is one measurement.
type BenchResult struct {
	// Name is the sub-benchmark and variant: "load/cold", "load/warm",
	// "zhash", "load-concurrent", "iterate", "commit/10".
	Name    string        `json:"name"`
	Ops     int           `json:"ops"`   // loads, objects hashed, records, transactions
	Bytes   int64         `json:"bytes"` // data read or written
	Elapsed time.Duration `json:"elapsed_ns"`
	// Latency of each op (loads, commits); nil when not measured per op.
	Latency *Latency `json:"latency,omitempty"`
	Jobs    int      `json:"jobs,omitempty"`    // goroutines (load-concurrent)
	Hash    string   `json:"hash,omitempty"`    // zhash: "sha1:<hex>" of every object's data in oid order
	Txns    int      `json:"txns,omitempty"`    // iterate: transactions
	Objects int      `json:"objects,omitempty"` // commit: objects per transaction
}

// OpsPerSec is the throughput in ops per second.
func (r *BenchResult) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// MBPerSec is the data throughput in MB (10^6 bytes) per second.
func (r *BenchResult) MBPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) / 1e6 / r.Elapsed.Seconds()
}

// Bench measures the storage at rawURL: see BenchOptions and the
// constants for what each sub-benchmark does. The database is opened
// read-only unless opt.Commit; the commit benchmark needs opt.Commit and a
// writable storage.
//
// Cold loads go through a storage opened just for them with the client
// cache off (neo:// and neos:// URLs get cache-size=0); FileStorage's
// data may still sit in the OS page cache. Warm loads are the second load
// of each object through one storage, as configured by rawURL. Concurrent
// loads also go through a storage without client cache, so that they
// measure the storage rather than the cache.
//
// Errors: an unknown sub-benchmark, commit without opt.Commit or on a
// read-only storage, the storage's errors.
func Bench(ctx context.Context, rawURL string, opt *BenchOptions) (*BenchReport, error) {
	o, err := benchDefaults(opt)
	if err != nil {
		return nil, err
	}
	st, err := zodb.Open(ctx, rawURL, &zodb.Options{ReadOnly: !o.Commit})
	if err != nil {
		return nil, fmt.Errorf("tools: bench: %w", err)
	}
	defer st.Close()
	b := &bencher{url: rawURL, st: st, opt: o}
	if err := b.run(ctx); err != nil {
		return nil, fmt.Errorf("tools: bench %s: %w", rawURL, err)
	}
	return &b.rep, nil
}

func benchDefaults(opt *BenchOptions) (BenchOptions, error) {
	var o BenchOptions
	if opt != nil {
		o = *opt
	}
	if len(o.Benches) == 0 {
		o.Benches = DefaultBenches
	}
	for _, name := range o.Benches {
		if !slices.Contains(BenchNames, name) {
			return o, fmt.Errorf("tools: bench: unknown benchmark %q (known: %s)", name, strings.Join(BenchNames, ", "))
		}
	}
	if slices.Contains(o.Benches, BenchCommit) && !o.Commit {
		return o, errors.New("tools: bench: the commit benchmark writes to the database: it needs the commit option")
	}
	if o.Jobs <= 0 {
		o.Jobs = 8
	}
	if o.Size <= 0 {
		o.Size = 128
	}
	if o.CommitTxns <= 0 {
		o.CommitTxns = 50
	}
	return o, nil
}

type bencher struct {
	url  string
	st   zodb.Storage
	opt  BenchOptions
	at   zodb.Tid
	oids []zodb.Oid
	rep  BenchReport
}

func (b *bencher) want(name string) bool { return slices.Contains(b.opt.Benches, name) }

func (b *bencher) run(ctx context.Context) error {
	if b.want(BenchCommit) {
		_, writer := b.st.(zodb.Writer)
		ro, hasRO := b.st.(interface{ ReadOnly() bool })
		if !writer || (hasRO && ro.ReadOnly()) {
			return fmt.Errorf("commit benchmark: %w (the commit benchmark needs a writable URL)", zodb.ErrReadOnly)
		}
	}
	head, err := b.st.Sync(ctx)
	if err != nil {
		return err
	}
	b.at = head
	b.rep = BenchReport{URL: b.url, Head: head.String(), GoMaxProcs: runtime.GOMAXPROCS(0)}
	// Only the loads need the list, which costs a walk of the history.
	if b.want(BenchLoad) || b.want(BenchZhash) || b.want(BenchLoadConcurrent) {
		if err := b.listObjects(ctx); err != nil {
			return fmt.Errorf("listing objects: %w", err)
		}
	}
	steps := []struct {
		name string
		f    func(context.Context) error
	}{
		{BenchLoad, b.loadCold},
		{BenchZhash, b.zhash},
		{BenchLoad, b.loadWarm},
		{BenchLoadConcurrent, b.loadConcurrent},
		{BenchIterate, b.iterate},
		{BenchCommit, b.commit},
	}
	for _, s := range steps {
		if !b.want(s.name) {
			continue
		}
		if err := s.f(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// listObjects finds the current objects by iterating the whole history:
// the last record of each oid says whether it exists at the head.
func (b *bencher) listObjects(ctx context.Context) error {
	size := map[zodb.Oid]int{}
	err := iterateAll(ctx, b.st, b.at, func(d *zodb.DataInfo) {
		if d.Data == nil && d.DataTid == 0 {
			delete(size, d.Oid)
			return
		}
		size[d.Oid] = len(d.Data)
	}, nil)
	if err != nil {
		return err
	}
	for oid, n := range size {
		b.oids = append(b.oids, oid)
		b.rep.Bytes += int64(n)
	}
	slices.Sort(b.oids)
	b.rep.Objects = len(b.oids)
	return nil
}

// iterateAll calls rec for every record and txn for every transaction up
// to at.
func iterateAll(ctx context.Context, st zodb.Storage, at zodb.Tid, rec func(*zodb.DataInfo), txn func(*zodb.TxnInfo)) error {
	it := st.Iterate(ctx, 0, at)
	for {
		t, dit, err := it.NextTxn(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if txn != nil {
			txn(t)
		}
		for {
			d, err := dit.NextData(ctx)
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			rec(d)
		}
	}
}

// noCacheURL is rawURL with the client cache off, for the URLs whose
// driver has one.
func noCacheURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "neo" && u.Scheme != "neos") {
		return rawURL
	}
	q := u.Query()
	q.Set("cache-size", "0")
	q.Del("cache_size")
	u.RawQuery = q.Encode()
	return u.String()
}

func (b *bencher) openNoCache(ctx context.Context) (zodb.Storage, error) {
	return zodb.Open(ctx, noCacheURL(b.url), &zodb.Options{ReadOnly: true})
}
