// Package client is the NEO client: the neo:// and neos:// storage driver
// (zodb.Storage, zodb.Writer, zodb.Watcher) over a NEO cluster, as NEO/py's
// neo/client (app.py, Storage.py, transactions.py, cache.py, iterator.py,
// zodburi.py).
//
// A Client keeps one link to the primary master, identified as a CLIENT,
// from which it learns the node list, the partition table and the
// invalidations of the transactions other clients commit. It reconnects
// when the master goes away, trying each master address in turn and
// following NotPrimaryMaster. Links to storage nodes are opened when first
// needed and identify with the NID and id_timestamp the master gave.
//
// Loads go to one readable cell of the object's partition (AskObject), with
// the data checked against its SHA-1 and decompressed when zlib-compressed,
// through a cache of recent revisions that invalidations keep exact. A
// commit asks the master for a ttid, stores objects in every writable cell
// of their partitions with pipelined AskStoreObject, votes with
// AskStoreTransaction (to the cells of the ttid's partition) and
// AskVoteTransaction (to the other storages written to), then asks the
// master to finish it. Conflicts are reported as *zodb.ConflictError: the
// client does not resolve them. A store takes the object's lock at the
// storage, so a small transaction sends its stores at Vote rather than at
// Store (a big one streams them): a transaction being built does not hold
// up the others, as ZODB's optimistic commits expect. Deadlock avoidance
// is NEO/py's: a storage's NotifyDeadlock makes a transaction not yet
// voting ask for its lock again (AskRelockObject).
//
// What NEO cannot express: a store based on a revision of an object that
// does not exist commits (NEO/py's storages accept it too), and a restored
// transaction's packed status is not kept (NEO keeps none).
//
// URL: neo://name@host:port[,host:port...][?options], neos:// for TLS. The
// options are those of NEO/py's NeoStorage ZConfig section as zodburi
// passes them: compress (boolean or zlib[=level]), read_only/read-only,
// cache-size/cache_size (bytes, with KB/MB/GB), ca, cert, key (neos takes
// them from $NEO_CA, $NEO_CERT, $NEO_KEY when absent).
package client
