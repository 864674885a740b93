// Package clustertest holds the end-to-end tests of zodbneo's NEO cluster:
// a whole cluster (master, storages on SQLite, admin) started in-process
// on 127.0.0.1 by neo/simple, driven through the neo:// client as any
// program would drive it.
//
// The tests check what the issue promises of a running cluster: commit,
// load and iteration through the client; `zodb convert` of the testdata
// FileStorages into a cluster and `zodb dump` of the cluster equal to the
// dump of the file; conflicting commits from two clients; invalidations
// reaching the other client's watch channel; restarts of a storage and
// of the master without losing a committed transaction; nodes and
// clients of another cluster name refused with a clear error; reads
// going on with one of two replicated storages down.
//
// The benchmarks measure a client against a cluster over loopback: load
// latency (serial, p50/p99) and throughput (64 concurrent loaders),
// commit latency and throughput. The link layer's own ping-pong, the
// floor these figures stand on, is neo/link's BenchmarkAskPing1 and
// BenchmarkTCPPingPong (go test -bench . ./neo/link).
//
// Interoperability with NEO/py (its client against our cluster, ours
// against its cluster, mixed clusters) needs Python and is checked by
// hand, not here: tests never need Python.
package clustertest
