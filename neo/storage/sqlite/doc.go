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
// Tids and oids are stored as signed 64-bit integers (NEO never uses the
// top bit); partition is oid%np for objects and tid%np for transactions,
// np being 1 + the highest partition in pt. trans.oids is the
// concatenation of the 8-byte big-endian oids the transaction wrote.
//
// Durability and concurrency: the database runs in WAL mode (unless a
// "file:" URL names another journal_mode, as NEO/py accepts), so readers
// on their own connections run beside the one writer connection. Writes
// are grouped in one SQLite transaction until a commit point: Commit,
// LockTransaction and the configuration setters commit with an fsync
// (synchronous=FULL, SQLite's and so NEO/py's default);
// UnlockTransaction and AbortTransaction commit without one
// (synchronous=NORMAL) so that readers see the result at once — NEO/py
// defers that commit by a second, and a transaction unlocked but lost by a
// power cut is still locked in ttrans and is finished again at recovery.
//
// Like NEO/py, an open database is locked with an abstract unix socket
// named after the file's device and inode, so a NEO/py storage and ours
// never open the same database at once.
package sqlite
