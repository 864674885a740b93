package admin

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// monitor is the cluster's health as NEO/py's admin sums it up for
// `neoctl print summary`: its state, how many storages holding cells are
// not running, how many cells are in each state, the last tid.
type monitor struct {
	down      int
	cells     map[proto.CellState]int // nil before the table is known
	ltid      lastTid
	backupTid lastTid
	asking    bool        // AskLastTransaction in flight
	waiters   []ctlWaiter // AskMonitorInformation waiting for it
}

type ctlWaiter struct {
	l   *link.Link
	req link.Request
}

func (m *monitor) dropWaiters(l *link.Link) {
	kept := m.waiters[:0]
	for _, w := range m.waiters {
		if w.l != l {
			kept = append(kept, w)
		}
	}
	m.waiters = kept
}

// operationalLocked is NEO/py's Monitor.operational. REQUIRES: mu held.
func (a *Admin) operationalLocked() bool {
	return a.mu.hasState && (a.mu.state == proto.Running || a.mu.state == proto.BackingUp)
}

// ptUpdatedLocked recounts the cells after a change of the table or of
// the nodes. REQUIRES: mu held.
func (a *Admin) ptUpdatedLocked() {
	pt := a.mu.pt
	if pt == nil {
		return
	}
	down := map[proto.NID]bool{}
	cells := map[proto.CellState]int{}
	for _, row := range pt.Rows {
		for _, c := range row {
			if !a.mu.nodes.Running(c.NID) {
				down[c.NID] = true
			}
			cells[c.State]++
		}
	}
	mon := &a.mu.mon
	if len(down) == mon.down && mon.cells != nil && maps.Equal(cells, mon.cells) {
		return
	}
	mon.down, mon.cells = len(down), cells
	a.monitorChangedLocked()
}

// monitorChangedLocked reacts to a change of the health: unless the last
// tid is being asked already, ask it (operational cluster) or answer the
// waiting neoctl requests. REQUIRES: mu held.
func (a *Admin) monitorChangedLocked() {
	if !a.mu.mon.asking {
		a.notifyLocked(a.operationalLocked())
	}
}

// notifyLocked is NEO/py's Application._notify: with askIDs, ask the
// master for the last tid first; else answer the waiting neoctl requests
// with the summary. REQUIRES: mu held.
func (a *Admin) notifyLocked(askIDs bool) {
	mon := &a.mu.mon
	if a.mu.closed {
		return
	}
	if askIDs && a.mu.master != nil {
		mon.asking = true
		a.askLastTid(a.mu.master, a.mu.hasState && a.mu.state == proto.BackingUp)
	}
	if mon.asking || (a.mu.master != nil && !a.mu.hasState) {
		return
	}
	if len(mon.waiters) == 0 {
		return
	}
	ans := a.monitorAnswerLocked()
	waiters := mon.waiters
	mon.waiters = nil
	// Sent without the lock, by a goroutine: a neoctl that does not read
	// holds up only itself.
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for _, w := range waiters {
			w.l.Answer(w.req, ans)
		}
	}()
}

// askLastTid asks the master AskLastTransaction (and AskRecovery for the
// backup tid when backing up), then answers the waiters.
func (a *Admin) askLastTid(ml *link.Link, backup bool) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx := context.Background() // the Asks end with the link
		var btid lastTid
		if backup {
			if m, err := ml.Ask(ctx, &proto.NoArgs{PacketCode: proto.CodeAskRecovery}); err == nil {
				if r, ok := m.(*proto.AnswerRecovery); ok {
					btid = lastTid{r.BackupTid, true}
				}
			}
		}
		m, err := ml.Ask(ctx, &proto.NoArgs{PacketCode: proto.CodeAskLastTransaction})
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.mu.master != ml || ml.Err() != nil {
			return // lost: masterLost resets the monitor and answers
		}
		if btid.ok {
			a.mu.mon.backupTid = btid
		}
		if t, ok := m.(*proto.TidMsg); err == nil && ok {
			a.mu.mon.ltid = lastTid{t.Tid, true}
		}
		a.mu.mon.asking = false
		a.notifyLocked(false)
	}()
}

// monitorAnswerLocked builds AnswerMonitorInformation for our cluster
// alone: nil (us) among the warnings or the problems, and the summary.
// REQUIRES: mu held.
func (a *Admin) monitorAnswerLocked() *proto.AnswerMonitorInformation {
	ans := &proto.AnswerMonitorInformation{Warnings: [][]byte{}, Problems: [][]byte{}}
	if a.mu.master == nil {
		ans.Problems = [][]byte{nil}
		ans.Summary = []byte(notConnected)
		return ans
	}
	switch a.severityLocked() {
	case 1:
		ans.Warnings = [][]byte{nil}
	case 2:
		ans.Problems = [][]byte{nil}
	}
	ans.Summary = []byte(a.summaryLocked())
	return ans
}

// severityLocked is 2 (problem) when a storage holding cells is down or
// the cluster is not operational, 1 (warning) when a cell is not up to
// date, else 0. REQUIRES: mu held.
func (a *Admin) severityLocked() int {
	mon := &a.mu.mon
	switch {
	case mon.down > 0 || !a.operationalLocked():
		return 2
	case len(mon.cells) != 1 || mon.cells[proto.UpToDate] == 0:
		return 1
	}
	return 0
}

// summaryLocked is NEO/py's formatSummary for our cluster, e.g.
// "RUNNING; UP_TO_DATE=4; ltid=040d3c91b019f465 (2026-11-24 18:57:41.273762)".
// REQUIRES: mu held.
func (a *Admin) summaryLocked() string {
	mon := &a.mu.mon
	var b strings.Builder
	if a.mu.hasState {
		b.WriteString(a.mu.state.String())
	} else {
		b.WriteString("None")
	}
	if len(mon.cells) > 0 {
		states := make([]proto.CellState, 0, len(mon.cells))
		for s := range mon.cells {
			states = append(states, s)
		}
		sort.Slice(states, func(i, j int) bool { return states[i] < states[j] })
		parts := make([]string, len(states))
		for i, s := range states {
			parts[i] = fmt.Sprintf("%s=%d", s, mon.cells[s])
		}
		b.WriteString("; " + strings.Join(parts, ", "))
	}
	if mon.down > 0 {
		fmt.Fprintf(&b, "; DOWN=%d", mon.down)
	}
	if a.operationalLocked() {
		t := mon.ltid
		if a.mu.state == proto.BackingUp {
			t = mon.backupTid
		}
		if t.ok && t.tid != proto.NoTid {
			fmt.Fprintf(&b, "; ltid=%016x (%s)", uint64(t.tid), ctl.TidDatetime(zodb.Tid(t.tid)))
		}
	}
	return b.String()
}

// lastTid is what AnswerLastTransaction told, for the summary.
type lastTid struct {
	tid zodb.Tid
	ok  bool
}
