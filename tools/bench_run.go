package tools

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// loadAll loads every current object once through st, timing each load
// into lat when it is not nil, and returns the bytes read.
func (b *bencher) loadAll(ctx context.Context, st zodb.Storage, lat []time.Duration, each func([]byte)) (int64, error) {
	var n int64
	for i, oid := range b.oids {
		t0 := time.Now()
		data, _, err := st.Load(ctx, zodb.Xid{At: b.at, Oid: oid})
		if lat != nil {
			lat[i] = time.Since(t0)
		}
		if err != nil {
			return n, fmt.Errorf("load %s: %w", oid, err)
		}
		n += int64(len(data))
		if each != nil {
			each(data)
		}
	}
	return n, nil
}

// timedLoads runs loadAll and makes its result.
func (b *bencher) timedLoads(ctx context.Context, name string, st zodb.Storage) error {
	lat := make([]time.Duration, len(b.oids))
	t0 := time.Now()
	n, err := b.loadAll(ctx, st, lat, nil)
	if err != nil {
		return err
	}
	b.rep.Results = append(b.rep.Results, BenchResult{Name: name, Ops: len(b.oids), Bytes: n,
		Elapsed: time.Since(t0), Latency: newLatency(lat)})
	return nil
}

func (b *bencher) loadCold(ctx context.Context) error {
	st, err := b.openNoCache(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return b.timedLoads(ctx, "load/cold", st)
}

// loadWarm loads everything twice through the main storage and times the
// second pass; zhash, when it ran, was the first.
func (b *bencher) loadWarm(ctx context.Context) error {
	if !b.want(BenchZhash) {
		if _, err := b.loadAll(ctx, b.st, nil, nil); err != nil {
			return err
		}
	}
	return b.timedLoads(ctx, "load/warm", b.st)
}

// zhash hashes the data of every current object in oid order, as
// zodbtools' and wendelin.core's zhash do, so two runs (or two storages
// holding the same database) can be compared.
func (b *bencher) zhash(ctx context.Context) error {
	h := sha1.New()
	t0 := time.Now()
	n, err := b.loadAll(ctx, b.st, nil, func(data []byte) { h.Write(data) })
	if err != nil {
		return err
	}
	b.rep.Results = append(b.rep.Results, BenchResult{Name: "zhash", Ops: len(b.oids), Bytes: n,
		Elapsed: time.Since(t0), Hash: "sha1:" + hex.EncodeToString(h.Sum(nil))})
	return nil
}

// loadConcurrent loads every object once, the oids dealt round-robin to
// Jobs goroutines sharing one storage without client cache.
func (b *bencher) loadConcurrent(ctx context.Context) error {
	st, err := b.openNoCache(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := b.opt.Jobs
	lat := make([]time.Duration, len(b.oids))
	bytes := make([]int64, jobs)
	errs := make([]error, jobs)
	var wg sync.WaitGroup
	t0 := time.Now()
	for j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := j; i < len(b.oids); i += jobs {
				t := time.Now()
				data, _, err := st.Load(ctx, zodb.Xid{At: b.at, Oid: b.oids[i]})
				lat[i] = time.Since(t)
				if err != nil {
					errs[j] = fmt.Errorf("load %s: %w", b.oids[i], err)
					cancel()
					return
				}
				bytes[j] += int64(len(data))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	r := BenchResult{Name: "load-concurrent", Ops: len(b.oids), Elapsed: elapsed, Jobs: jobs, Latency: newLatency(lat)}
	for j := range jobs {
		if errs[j] != nil {
			return errs[j]
		}
		r.Bytes += bytes[j]
	}
	b.rep.Results = append(b.rep.Results, r)
	return nil
}

// iterate reads every transaction and record of the history.
func (b *bencher) iterate(ctx context.Context) error {
	r := BenchResult{Name: "iterate"}
	t0 := time.Now()
	err := iterateAll(ctx, b.st, b.at, func(d *zodb.DataInfo) {
		r.Ops++
		r.Bytes += int64(len(d.Data))
	}, func(*zodb.TxnInfo) { r.Txns++ })
	if err != nil {
		return err
	}
	r.Elapsed = time.Since(t0)
	b.rep.Results = append(b.rep.Results, r)
	return nil
}
