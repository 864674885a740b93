// Package master is NEO's primary master node, wire-compatible with NEO/py's
// neo/master (protocol 5): it identifies storages, clients and admins and
// gives them node ids, keeps the node list and the partition table and
// tells every node of their changes, drives the cluster through
// RECOVERING (find the newest partition table among the storages, or make
// a new one when the cluster starts), VERIFYING (finish transactions left
// locked, learn the last tid and oid) and RUNNING (allocate tids and oids,
// run the second phase of commits across the storages holding the
// partitions involved, send invalidations), and stops it (STOPPING).
//
// Like NEO/py's master it is one event loop: every packet, answer and lost
// connection becomes a closure run on the loop goroutine, which owns all
// state, so the order in which NEO/py handles events — and the packets it
// sends in answer — is kept. What the loop sends goes to a queue per peer
// written by that peer's goroutine (sender.go), so a stalled peer never
// blocks the master; answers to the master's requests come back to the
// loop after the packets the peer sent before them.
//
// Several masters elect a primary as NEO/py's do (see election.go); a
// secondary only follows the primary and points nodes to it with
// NotPrimaryMaster. Not done: backup clusters (BACKINGUP), asking storages
// for pack orders older than the last completed pack.
package master
