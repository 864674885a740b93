package tools

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// ClassUsage is what Analyze counts for one class: all its records with
// data (T.), the current revision of each of its objects (C.), and the
// revisions superseded by a later one (O.).
type ClassUsage struct {
	Class             string // "module.name"
	Records, Bytes    int64
	Current, CurBytes int64
	Old, OldBytes     int64
}

// AnalyzeReport is zodbtools' `zodb analyze` report on a range of history.
//
// An object's class is taken from its first record in the range; an
// object's current size is that of its last record with data (a deletion
// does not change it), as zodbtools counts them.
type AnalyzeReport struct {
	// TidMin and TidMax are the first and last transactions seen.
	TidMin, TidMax zodb.Tid
	Txns           int64 // transactions
	Records        int64 // records, deletions included
	Bytes          int64 // data bytes of all records
	Current        int64 // objects seen
	CurBytes       int64 // their current data bytes
	Old            int64 // superseded revisions
	OldBytes       int64 // their data bytes
	// Classes in the order they were first seen.
	Classes []ClassUsage
}

// AnalyzeOptions tune Analyze.
type AnalyzeOptions struct {
	// Warn, when set, is told about a record whose class cannot be read:
	// its bytes are counted in the totals but in no class, as zodbtools
	// does after printing the error.
	Warn func(error)
	// Progress, when set, is told now and then how far the analysis has
	// got, in units of the tid span it covers.
	Progress func(done, total int64)
}

// Analyze reads every record of stor's transactions with tidMin <= tid <=
// tidMax and counts, per class, how many records and bytes there are.
// Errors of the storage's iteration (a torn file) are returned wrapped.
func Analyze(ctx context.Context, stor zodb.Storage, tidMin, tidMax zodb.Tid, opt *AnalyzeOptions) (*AnalyzeReport, error) {
	if opt == nil {
		opt = &AnalyzeOptions{}
	}
	a := &analyzer{rep: &AnalyzeReport{}, opt: opt,
		objs: map[zodb.Oid]objUsage{}, classIdx: map[string]int{}}
	progress := newTidProgress(opt.Progress, stor, tidMax)
	it := stor.Iterate(ctx, tidMin, tidMax)
	for {
		txn, dit, err := it.NextTxn(ctx)
		if errors.Is(err, io.EOF) {
			progress.finish()
			return a.rep, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tools: analyze: %w", err)
		}
		progress.txn(txn.Tid)
		if err := a.txn(ctx, txn, dit); err != nil {
			return nil, fmt.Errorf("tools: analyze: txn %s: %w", txn.Tid, err)
		}
	}
}

type analyzer struct {
	rep      *AnalyzeReport
	opt      *AnalyzeOptions
	objs     map[zodb.Oid]objUsage
	classIdx map[string]int // class -> index in rep.Classes
}

// objUsage is what is remembered of one object: its class (index in
// rep.Classes) and the size of its current revision.
type objUsage struct {
	class int
	size  int64
}

func (a *analyzer) txn(ctx context.Context, txn *zodb.TxnInfo, dit zodb.DataIterator) error {
	r := a.rep
	if r.Txns == 0 {
		r.TidMin = txn.Tid
	}
	r.Txns++
	r.TidMax = txn.Tid
	for {
		di, err := dit.NextData(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		a.record(di)
	}
}

func (a *analyzer) record(di *zodb.DataInfo) {
	r := a.rep
	r.Records++
	if di.Data == nil {
		return // a deletion: no data to count
	}
	size := int64(len(di.Data))
	r.Bytes += size
	obj, seen := a.objs[di.Oid]
	if !seen {
		class, err := a.class(di)
		if err != nil {
			if a.opt.Warn != nil {
				a.opt.Warn(err)
			}
			return
		}
		obj = objUsage{class: class, size: size}
		a.objs[di.Oid] = obj
		c := &r.Classes[class]
		r.Current++
		r.CurBytes += size
		c.Current++
		c.CurBytes += size
		c.Records++
		c.Bytes += size
		return
	}
	c := &r.Classes[obj.class]
	r.Old++
	r.OldBytes += obj.size
	r.CurBytes += size - obj.size
	c.Old++
	c.OldBytes += obj.size
	c.CurBytes += size - obj.size
	c.Records++
	c.Bytes += size
	a.objs[di.Oid] = objUsage{class: obj.class, size: size}
}

// class returns the index in rep.Classes of the class of di's object,
// adding the class when it is new.
func (a *analyzer) class(di *zodb.DataInfo) (int, error) {
	module, name, err := zpickle.ClassOf(di.Data)
	if err != nil {
		return 0, fmt.Errorf("tools: analyze: oid %s @%s: %w", di.Oid, di.Tid, err)
	}
	class := module + "." + name
	i, ok := a.classIdx[class]
	if !ok {
		i = len(a.rep.Classes)
		a.classIdx[class] = i
		a.rep.Classes = append(a.rep.Classes, ClassUsage{Class: class})
	}
	return i, nil
}
