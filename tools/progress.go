package tools

import "github.com/zodbneo/zodbneo/zodb"

// tidProgress turns an iteration over transactions into progress reports:
// a storage does not tell how many transactions a range holds, but tids
// grow with time, so the share of the tid span covered so far — from the
// first transaction seen to the end of the range, or the storage's head if
// sooner — is a fair measure.
type tidProgress struct {
	report    func(done, total int64) // nil: no reports
	base, end zodb.Tid
	n         int
}

// progressEvery is how many transactions go by between reports.
const progressEvery = 64

func newTidProgress(report func(done, total int64), stor zodb.Storage, tidMax zodb.Tid) *tidProgress {
	return &tidProgress{report: report, end: min(tidMax, stor.Head())}
}

// txn notes that the iteration reached tid.
func (p *tidProgress) txn(tid zodb.Tid) {
	if p.report == nil {
		return
	}
	if p.n == 0 {
		p.base = min(tid, p.end)
	}
	p.n++
	if p.n%progressEvery == 1 && tid <= p.end {
		p.report(int64(tid-p.base), int64(p.end-p.base))
	}
}

// finish reports that the whole range is done.
func (p *tidProgress) finish() {
	if p.report != nil && p.n > 0 {
		p.report(int64(p.end-p.base), int64(p.end-p.base))
	}
}
