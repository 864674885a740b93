// Package cluster holds what every NEO node keeps of the cluster: the
// partition table (which storage nodes hold which partitions, in which
// cell state) and the node table (every node the primary master told of),
// plus the configuration all nodes share. It follows NEO/py's
// neo/lib/pt.py and neo/lib/node.py; the master's own table logic (making
// and tweaking a table) lives in neo/master.
package cluster
