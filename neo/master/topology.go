package master

import "log/slog"

// topology spreads the cells of each partition over the storages' devpaths
// (the topology path a storage sends at identification, e.g. room,
// machine, disk) as NEO/py's tweak does: when there are enough distinct
// paths at some depth, no two replicas of a partition go to the same
// place there, and places get their share evenly (off by one).
type topology struct {
	devpaths [][]string // per node index, cut to the depth used
	max      []topoLimit
	offsets  []map[string]*topoNode // per partition
}

// topoLimit is, at one depth, how many cells of a partition one place may
// hold (j), and how many places may hold that many (k).
type topoLimit struct{ j, k int }

type topoNode struct {
	count    int
	children map[string]*topoNode
}

// newTopology decides at which depth devpaths are used; repeats is the
// number of cells per partition.
func newTopology(np int, devpaths [][]string, repeats int, log *slog.Logger) *topology {
	t := &topology{devpaths: make([][]string, len(devpaths)), offsets: make([]map[string]*topoNode, np)}
	for i := range t.offsets {
		t.offsets[i] = map[string]*topoNode{}
	}
	if repeats <= 1 {
		return t
	}
	maxDepth := -1
	for _, d := range devpaths {
		if maxDepth < 0 || len(d) < maxDepth {
			maxDepth = len(d)
		}
	}
	for depth := 1; depth <= maxDepth; depth++ {
		counts := map[string]int{}
		for _, d := range devpaths {
			counts[pathKey(d[:depth])]++
		}
		n := len(counts)
		distinct := map[int]bool{}
		most := 0
		for _, c := range counts {
			distinct[c] = true
			most = max(most, c)
		}
		if !(len(distinct) == 1 || most*repeats <= len(devpaths)) {
			break
		}
		if i, x := repeats/n, repeats%n; x != 0 {
			t.max = append(t.max, topoLimit{i + 1, x})
		} else {
			t.max = append(t.max, topoLimit{i, n})
		}
		if n < repeats {
			continue
		}
		for k, d := range devpaths {
			t.devpaths[k] = d[:depth]
		}
		return t
	}
	if log != nil {
		log.Warn("master: can't maximize resiliency: fix the topology of the storage nodes and make sure they're all running", "failures_enough_to_lose_data", repeats-1)
	}
	return t
}

func pathKey(p []string) string {
	b := []byte{}
	for _, s := range p {
		b = append(b, s...)
		b = append(b, 0)
	}
	return string(b)
}

// update places option (partitions) at devpath if no place gets too many
// cells; it reports whether it did.
func (t *topology) update(option []int, devpath []string) bool {
	for _, offset := range option {
		n := t.offsets[offset]
		for d, name := range devpath {
			if d >= len(t.max) {
				break
			}
			e := n[name]
			if e == nil {
				e = &topoNode{children: map[string]*topoNode{}}
				n[name] = e
			}
			lim := t.max[d]
			if e.count == lim.j {
				return false
			}
			if e.count+1 == lim.j {
				full := 0
				for _, x := range n {
					if x.count == lim.j {
						full++
					}
				}
				if full == lim.k {
					return false
				}
			}
			n = e.children
		}
	}
	t.add(option, devpath, 1)
	return true
}

func (t *topology) revert(option []int, devpath []string) { t.add(option, devpath, -1) }

func (t *topology) add(option []int, devpath []string, delta int) {
	for _, offset := range option {
		n := t.offsets[offset]
		for _, name := range devpath {
			e := n[name]
			e.count += delta
			n = e.children
		}
	}
}
