// Package fs1 reads and writes ZODB FileStorage files (data.fs), the format
// Python's ZODB.FileStorage writes, and serves them as a zodb.Storage (and,
// unless opened read-only, a zodb.Writer) registered for the "file" URL
// scheme.
//
// The package has two layers. The low-level one (File, TxnHeader,
// DataHeader, Iter) decodes records at given file positions and checks
// them, for tools that look at a file record by record (fs1 dump, tail,
// verify). The driver (FileStorage, Open) keeps an oid → position index
// (package fs1/fsindex) and answers Load, History and Iterate the way
// Python's FileStorage does, including on files with a torn tail.
//
// # Byte layout
//
// All integers are big-endian. A file is a 4-byte magic followed by
// transaction records, back to back:
//
//	+------+------------------+------------------+-- ... --+
//	| FS30 | transaction @4   | transaction      |         |
//	+------+------------------+------------------+-- ... --+
//
// "FS21" is what Python 2 ZODB wrote and "FS30" Python 3 ZODB: the record
// format is the same, only the way strings inside pickles were written
// differs.
//
// A transaction record (Pos is where it starts):
//
//	offset  size
//	0       8     tid
//	8       8     tl: length of the record without its last 8 bytes
//	16      1     status: ' ' committed, 'p' packed, 'c' being committed
//	              (checkpoint), 'u' undone (obsolete)
//	17      2     ulen: length of user
//	19      2     dlen: length of description
//	21      2     elen: length of extension
//	23      ulen  user
//	        dlen  description
//	        elen  extension (a pickled dict; empty for an empty dict)
//	        ...   data records, up to Pos+tl
//	Pos+tl  8     tl again, so that the file can be read backwards
//
// The next transaction starts at Pos+tl+8.
//
// A data record (Pos is where it starts):
//
//	offset  size
//	0       8     oid
//	8       8     tid (the transaction's)
//	16      8     position of the previous record of this oid, or 0
//	24      8     position of the transaction record holding this one
//	32      2     version length, always 0 (versions are gone)
//	34      8     plen: length of the data
//	42      plen  data: the object's pickles
//
// When plen is 0 the record holds an 8-byte backpointer at 42 instead of
// data: the position of an earlier data record of the same oid whose data
// this revision has (undo writes these), or 0 when the revision deletes
// the object. Backpointers may form chains.
//
// # Reading as Python does
//
// Open follows Python's FileStorage: a saved index (data.fs.index) is
// used when it passes _check_sanity's test and completed by reading the
// transactions after it; otherwise the index is rebuilt by reading the
// whole file, and saved unless the storage is read-only. The end of the
// file is read as read_index reads it: a transaction cut by the end of the
// file, a checkpoint ('c') transaction, or junk a crash left after the
// last transaction is not served. Size and Head are what Python's getSize
// and lastTransaction report, so Head can be the tid of a torn
// transaction whose header was whole; Tail says what was left out.
// Iterate stops where Python's FileIterator stops, and fails where it
// fails (on a transaction header cut by the end of the file).
//
// Where Python only logs a warning, this package returns an error
// wrapping zodb.ErrCorrupt: a transaction tid not above the previous one,
// an unknown status byte, a data record whose tid is not its
// transaction's. A read-only storage never writes to the data file: a
// torn tail is left in place. Files with the Python 2 magic "FS21" are
// read like "FS30" ones (and appended to in their format, which is the
// same).
//
// # Writing as Python does
//
// Opened for writing, a storage takes data.fs.lock as zc.lockfile does
// (see Lock), creates a missing file, and cuts a torn tail off as
// Python's read_index does, saving the bytes cut to data.fs.tr<N>. The
// record encoders (AppendTxnHeader, AppendDataHeader, AppendTxnTrailer)
// write what format.py writes. A commit follows tpc_vote and tpc_finish:
// the transaction is appended with the status 'c', its status rewritten to
// ' ' and the file synced, and only then is it visible — to this process
// through the index, to others because readers stop at a 'c' transaction
// and a read-write open cuts it off. Tids come from zodb.TidAfter, as
// ZODB's; oids from Python's new_oid rule. Restores keep tids, statuses
// and backpointers, so that a copy is the same file byte for byte. Where
// this package differs: a write conflict is never resolved (Python calls
// the object's _p_resolveConflict); storing an object that does not exist
// with a serial other than 0 is a conflict (Python accepts it); after a
// read-write open cuts a torn transaction off, Head is the last committed
// transaction, not the tid of the one cut off; Sync reports only
// committed transactions.
//
// # Reference
//
// The Python sources this package follows are, in zopefoundation/ZODB,
// src/ZODB/FileStorage/format.py (layout), FileStorage.py (read_index,
// _truncate, load, loadBefore, history, FileIterator, _restore_index,
// _check_sanity, store, deleteObject, restore, _data_find, tpc_vote,
// _finish, _abort), BaseStorage.py (new_oid, tpc_begin,
// checkCurrentSerialInTransaction), src/ZODB/fsIndex.py (the saved
// index), and zc.lockfile (the lock file).
package fs1
