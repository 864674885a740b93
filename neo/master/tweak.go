package master

import (
	"slices"
	"sort"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// tweak reassigns cells as NEO/py's PartitionTable.tweak does, so that a
// table made or tweaked by this master is the one NEO/py's would make:
//
//   - every node not in drop gets the same number of cells (off by one),
//     laid out as the "optimal" table: partition after partition, each
//     given to the next nr+1 nodes in turn;
//   - among the node permutations giving that layout, one that moves no
//     cell is taken if it exists, else a heuristic one moving few;
//   - new cells are UP_TO_DATE for a new table, OUT_OF_DATE otherwise;
//     cells to drop first become FEEDING while a partition would have
//     too few readable cells.
//
// Cells of nodes in drop are left alone (NEO/py disables discarding them:
// a dropped node is expected to be trashed whole). Replicas are spread
// over the storages' devpaths (see topology).
func (pt *ptable) tweak(drop []*node) ([]proto.CellChange, error) {
	type nodeCells struct {
		n     *node
		cells map[int]*cell
	}
	var nodes []*nodeCells
	byNode := map[*node]*nodeCells{}
	for n := range pt.count {
		if !slices.Contains(drop, n) {
			nc := &nodeCells{n: n, cells: map[int]*cell{}}
			nodes = append(nodes, nc)
			byNode[n] = nc
		}
	}
	if len(nodes) == 0 {
		return nil, &errPT{"Can't remove all nodes."}
	}
	for offset, row := range pt.rows {
		for _, c := range row {
			if nc := byNode[c.node]; nc != nil {
				nc.cells[offset] = c
			}
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].n.nid < nodes[j].n.nid })

	// The optimal layout: the option (set of partitions) of each node.
	nodeCount := len(nodes)
	repeats := min(pt.nr+1, nodeCount)
	layout := make([][]int, nodeCount)
	i := 0
	for offset := 0; offset < pt.np; offset++ {
		for r := 0; r < repeats; r++ {
			layout[i%nodeCount] = append(layout[i%nodeCount], offset)
			i++
		}
	}
	optionCount := map[string]int{}
	var options [][]int
	for _, o := range layout {
		k := optionKey(o)
		if optionCount[k] == 0 {
			options = append(options, o)
		}
		optionCount[k]++
	}
	sort.Slice(options, func(i, j int) bool {
		if len(options[i]) != len(options[j]) {
			return len(options[i]) > len(options[j])
		}
		return slices.Compare(options[i], options[j]) < 0
	})

	devpaths := make([][]string, nodeCount)
	for i, nc := range nodes {
		devpaths[i] = nc.n.devpath
	}
	topo := newTopology(pt.np, devpaths, repeats, pt.log)

	// A strategy orders the nodes and, for each, the options to try.
	type choice struct {
		node int
		opts [][]int
	}
	var strategies [][]choice
	// 1. Options that move no cell, if every node has one.
	var noMove []choice
	for i, nc := range nodes {
		var fit [][]int
		for _, o := range options {
			ok := true
			for offset, c := range nc.cells {
				if c.state != proto.Feeding && !slices.Contains(o, offset) {
					ok = false
					break
				}
			}
			if ok {
				fit = append(fit, o)
			}
		}
		if fit == nil {
			noMove = nil
			break
		}
		noMove = append(noMove, choice{i, fit})
	}
	if noMove != nil {
		strategies = append(strategies, noMove)
	}
	// 2. Nodes whose choice matters most first, each trying the options
	// from the one discarding the fewest readable (then other) cells.
	type ranked struct {
		d0, d1 int
		choice
	}
	var heur []ranked
	for i, nc := range nodes {
		type cost struct{ readable, other, x int }
		costs := make([]cost, len(options))
		for x, o := range options {
			costs[x].x = x
			for offset, c := range nc.cells {
				if !slices.Contains(o, offset) {
					if c.readable() {
						costs[x].readable++
					} else {
						costs[x].other++
					}
				}
			}
		}
		sort.Slice(costs, func(a, b int) bool {
			ca, cb := costs[a], costs[b]
			if ca.readable != cb.readable {
				return ca.readable < cb.readable
			}
			if ca.other != cb.other {
				return ca.other < cb.other
			}
			return ca.x < cb.x
		})
		lo, hi := costs[0], costs[len(costs)-1]
		opts := make([][]int, len(costs))
		for k, c := range costs {
			opts[k] = options[c.x]
		}
		heur = append(heur, ranked{lo.readable - hi.readable, lo.other - hi.other, choice{i, opts}})
	}
	sort.Slice(heur, func(a, b int) bool {
		if heur[a].d0 != heur[b].d0 {
			return heur[a].d0 < heur[b].d0
		}
		if heur[a].d1 != heur[b].d1 {
			return heur[a].d1 < heur[b].d1
		}
		return heur[a].node < heur[b].node
	})
	h := make([]choice, len(heur))
	for k, r := range heur {
		h[k] = r.choice
	}
	strategies = append(strategies, h)

	// Depth-first search of an assignment using each option as many times
	// as the layout has it.
	var solution [][]int
	var order []choice
	for _, strat := range strategies {
		var picked [][]int
		var stack []int
		next := 0
		for {
			ch := strat[len(picked)]
			if next >= len(ch.opts) {
				if len(picked) == 0 {
					break
				}
				next = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				o := picked[len(picked)-1]
				topo.revert(o, topo.devpaths[strat[len(picked)-1].node])
				picked = picked[:len(picked)-1]
				optionCount[optionKey(o)]++
				continue
			}
			o := ch.opts[next]
			next++
			if optionCount[optionKey(o)] > 0 && topo.update(o, topo.devpaths[ch.node]) {
				picked = append(picked, o)
				if len(picked) == nodeCount {
					break
				}
				stack = append(stack, next)
				next = 0
				optionCount[optionKey(o)]--
			}
		}
		if len(picked) == nodeCount {
			solution, order = picked, strat
			break
		}
	}
	if solution == nil {
		return nil, &errPT{"partition table: no assignment found"}
	}

	// Apply it.
	newState := proto.OutOfDate
	if pt.id == proto.NoPTid {
		pt.id = 1
		pt.filledRows = pt.np
		newState = proto.UpToDate
	}
	var changes []proto.CellChange
	outdated := make([]int, pt.np)
	for k := range outdated {
		outdated[k] = repeats
	}
	discard := make([][]*cell, pt.np)
	for k, offsets := range solution {
		nc := nodes[order[k].node]
		for _, offset := range offsets {
			c := nc.cells[offset]
			delete(nc.cells, offset)
			switch {
			case c == nil:
				pt.count[nc.n]++
				c = &cell{node: nc.n}
				c.setState(newState)
				pt.rows[offset] = append(pt.rows[offset], c)
				changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: nc.n.nid, State: newState})
			case c.readable():
				if c.state == proto.Feeding {
					c.setState(proto.UpToDate)
					changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: nc.n.nid, State: proto.UpToDate})
				}
				outdated[offset]--
			}
		}
		rest := make([]int, 0, len(nc.cells))
		for offset := range nc.cells {
			rest = append(rest, offset)
		}
		sort.Ints(rest)
		for _, offset := range rest {
			discard[offset] = append(discard[offset], nc.cells[offset])
		}
	}
	// Keep at least repeats readable cells per partition: extra cells
	// feed the new ones until they are replicated.
	for offset := range pt.rows {
		for _, c := range discard[offset] {
			var s proto.CellState
			if outdated[offset] > 0 && c.readable() {
				outdated[offset]--
				if c.state == proto.Feeding {
					continue
				}
				s = proto.Feeding
				c.setState(s)
			} else {
				pt.count[c.node]--
				s = proto.Discarded
				row := pt.rows[offset]
				if k := slices.Index(row, c); k >= 0 {
					pt.rows[offset] = append(row[:k:k], row[k+1:]...)
				}
			}
			changes = append(changes, proto.CellChange{Partition: uint32(offset), NID: c.node.nid, State: s})
		}
	}
	return changes, nil
}

func optionKey(o []int) string {
	b := make([]byte, 0, 4*len(o))
	for _, v := range o {
		b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return string(b)
}
