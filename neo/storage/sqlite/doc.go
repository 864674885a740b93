// Package sqlite is the SQLite backend of the NEO storage node: NEO/py's
// SQLiteDatabaseManager (neo/storage/database/sqlite.py, semantics in
// manager.py) on modernc.org/sqlite, with the same schema and version so
// that a database written by a NEO/py storage opens here and the other
// way round.
//
// The schema, version 4 (config "version"):
//
//	config (name TEXT PRIMARY KEY, value TEXT)          name, nid, ptid, replicas, version, ...
//	pt     (partition, nid, tid, pack)                  tid: -1 UP_TO_DATE, -2 FEEDING,
//	                                                    -3 CORRUPTED, >= 0 OUT_OF_DATE (the
//	                                                    last replicated tid); pack: last
//	                                                    completed pack of own cells, NULL
//	                                                    for other nodes' cells
//	pack   (tid PRIMARY KEY, approved, partial, oids, pack_tid)
//	trans  (partition, tid, packed, oids, user, description, ext, ttid)   committed
//	obj    (partition, oid, tid, data_id, value_tid)    committed; data_id NULL: deletion;
//	                                                    value_tid: undo backpointer
//	data   (id PRIMARY KEY, hash, compression, value)   id = partition<<48 + counter
//	ttrans (partition, tid, ...same as trans)           voted; tid NULL until locked
//	tobj   (partition, oid, tid, data_id, value_tid)    voted; tid is the ttid
//
// A database of an older NEO/py version (1 to 3) is upgraded as NEO/py's
// _migrate<N> do; a newer one, or an SQLite file that is not NEO's, is
// refused.
//
// Tids and oids are stored as signed 64-bit integers (NEO never uses the
// top bit); partition is oid%np for objects and tid%np for transactions,
// np being 1 + the highest partition in pt. trans.oids is the
// concatenation of the 8-byte big-endian oids the transaction wrote.
//
// Durability: writes are grouped in one SQLite transaction until a
// commit point. Commit, LockTransaction and the configuration and
// partition table setters are durable when they return, as NEO/py's
// commits with SQLite's default synchronous=FULL. In WAL mode the writer
// runs at synchronous=NORMAL and those commit points fsync the WAL
// themselves (one fsync covers every frame before it), so that
// UnlockTransaction and AbortTransaction commit without one: readers see
// their result at once, and a power cut that loses them leaves the
// transaction locked in ttrans (finished again at recovery) or unfinished
// (dropped), as NEO/py's deferred commit after an unlock does. Commit
// does not sync what they committed. A "file:" URL's synchronous pragma,
// as NEO/py accepts it, applies to every commit instead.
//
// Concurrency: the database runs in WAL mode, so readers run beside the
// one writer, each on a connection of its own driven through
// database/sql/driver. (A "file:" URL may name another journal_mode, as
// NEO/py allows; then readers and the writer's commits wait for each
// other.) A reader
// keeps its WAL snapshot between queries (taking one costs file-lock
// system calls) and takes a new one when the writer has committed since;
// when the WAL grows past 16 MiB the writer drains the snapshots and
// checkpoints it to empty, since SQLite only restarts a WAL no reader
// uses. Closed, the database is a single file again (the WAL is
// checkpointed and removed), still in WAL mode, which NEO/py's sqlite3
// opens as it is.
//
// Data references: as NEO/py's _uncommitted_data, the data rows stored
// for transactions not yet unlocked are counted in memory (StoreData and
// undo records take a reference; UnlockTransaction, AbortTransaction for
// undo records, and ReleaseData give them back), so that pruning never
// deletes data a pending transaction will reference, with --dedup too.
//
// Beside backend.Backend, DB offers ReleaseData (NEO/py's releaseData),
// FinalTID (getFinalTID) and the replication methods of
// backend.ReplicationSource and ReplicationTarget.
//
// Like NEO/py, an open database is locked with an abstract unix socket
// named after the file's device and inode, so a NEO/py storage and ours
// never open the same database at once.
package sqlite
