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
//	  lock and unlock transactions for the master
//	  StopOperation: back to initialization; master lost: reconnect
//	until the master says STOPPING or marks this node DOWN/UNKNOWN.
//
// Concurrency: every connection is handled in arrival order on its own
// goroutine (link.Options.Ordered), and one mutex, the node lock, guards
// the partition table, the node table and the transaction manager, as
// NEO/py's single thread does. Reads of committed data run outside the
// lock, concurrently.
//
// Replication between storages (AskFetchTransactions/Objects), pack and
// the replica checker are not implemented: a cell assigned OUT_OF_DATE
// stays so.
package storage
