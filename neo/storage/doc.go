// Package storage is the NEO storage node, wire-compatible with NEO/py's
// (neo/storage in Nexedi/neoppod): it keeps objects and transactions of
// the partitions the master assigns to it in a backend database
// (neo/storage/backend; SQLite by default), serves loads, iteration and
// history to clients, and takes part in commits.
//
// Life of a node (NEO/py's app.py):
//
//	New: open the database (check the cluster name), listen
//	Run: loop
//	  connect to the primary master (NotPrimaryMaster: go to the one
//	  named; failure: try the next one, every second), identify as
//	  STORAGE with the NID from the database, adopt your_nid
//	  initialization: AskRecovery, AskPartitionTable, SendPartitionTable,
//	  AskLockedTransactions, ValidateTransaction, AskLastIDs,
//	  AskPackOrders ... until StartOperation; then NotifyReady
//	  operation: accept clients the master told of, serve their requests,
//	  lock and unlock transactions for the master, replicate out-of-date
//	  cells
//	  StopOperation: back to initialization; master lost: reconnect
//	until the master marks this node DOWN/UNKNOWN, or goes away while
//	the cluster is STOPPING.
//
// Concurrency: every connection is handled in arrival order on its own
// goroutine (link.Options.Ordered), and one mutex, the node lock, guards
// the partition table, the node table and the transaction manager, as
// NEO/py's single thread does. Reads of committed data run outside the
// lock, concurrently.
//
// Replication (replicator.go, source.go): a cell of ours OUT_OF_DATE is
// fetched from a readable cell of another storage, ours or NEO/py's, and
// ours feed others; the backend must implement backend.ReplicationSource
// and ReplicationTarget (neo/storage/sqlite does). The replica checker
// (checker.go, check.go) runs and serves digests as NEO/py's.
//
// Not implemented: pack (as NEO/py's --disable-pack, approved pack orders
// are reported done without pruning anything), backup clusters,
// --new-nid, and erasing the database when the master drops the node (it
// only stops).
//
// Beside NEO/py, the node keeps the current revision of recently loaded
// objects in memory (cache.go), dropped when a new revision is unlocked.
package storage
