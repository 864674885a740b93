package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// benchCommitSizes are the objects per transaction the commit benchmark
// tries.
var benchCommitSizes = []int{1, 10, 100}

// commit commits CommitTxns transactions of new objects for each size in
// benchCommitSizes and times each whole two-phase commit.
func (b *bencher) commit(ctx context.Context) error {
	w := b.st.(zodb.Writer) // checked by run
	data := make([]byte, b.opt.Size)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	for _, nobj := range benchCommitSizes {
		lat := make([]time.Duration, b.opt.CommitTxns)
		t0 := time.Now()
		for i := range lat {
			t := time.Now()
			if err := commitNew(ctx, w, nobj, data); err != nil {
				return err
			}
			lat[i] = time.Since(t)
		}
		b.rep.Results = append(b.rep.Results, BenchResult{Name: fmt.Sprintf("commit/%d", nobj),
			Ops: len(lat), Bytes: int64(len(lat) * nobj * len(data)), Elapsed: time.Since(t0),
			Latency: newLatency(lat), Objects: nobj})
	}
	return nil
}

// commitNew commits one transaction storing nobj new objects.
func commitNew(ctx context.Context, w zodb.Writer, nobj int, data []byte) error {
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("zodb bench"), Description: []byte("commit benchmark")})
	if err != nil {
		return err
	}
	for range nobj {
		oid, err := w.NewOid(ctx)
		if err == nil {
			err = txn.Store(ctx, oid, 0, data)
		}
		if err != nil {
			txn.Abort()
			return err
		}
	}
	if err := txn.Vote(ctx); err != nil {
		txn.Abort()
		return err
	}
	_, err = txn.Finish(ctx)
	return err
}
