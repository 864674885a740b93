// Package clustertest holds the end-to-end tests of zodbneo's NEO cluster:
// whole clusters (master, storages on SQLite, admin) started in-process
// on 127.0.0.1 by neo/simple, or node by node where a test needs more
// (several masters, nodes in child processes to kill them for real),
// driven through the neo:// client and neoctl's verbs as any program
// would drive them.
//
// The tests check what the issue promises of a running cluster: commit,
// load and iteration through the client; `zodb convert` of the testdata
// FileStorages into a cluster and `zodb dump` of the cluster equal to the
// dump of the file, and back; the driver read suite over converted data
// and over storage databases NEO/py wrote; conflicting commits from two
// clients; invalidations reaching the other client's watch channel;
// restarts of a storage and of the master, a master failover, a storage
// or master killed (SIGKILL) during commits — without losing an
// acknowledged transaction; nodes, clients and databases of another
// cluster name refused with a clear error; replication of a storage that
// missed commits; reads going on with one of two replicated storages
// down; neoctl's truncate, flush_log and STOPPING (every node exits);
// large objects; a read-only client; broken peers dropped by every node.
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
