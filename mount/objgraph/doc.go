// Package objgraph shows the object graph of one ZODB database state as a
// tree of directories and files, the way a person browses it in
// `zodb mount`'s root/ directory; and the readable text of an object's
// state, its oid/<oid>/state file. It decides what is shown; the FUSE
// layer (package mount) decides how.
//
// A Graph (New) reads the objects a zodb.Loader gives at one tid.
// Graph.Object returns one *Object: its raw record, class, serial, decoded
// state, StateText and Refs. Every object is a directory (Dir): Entries
// lists it through an *Iter, Lookup finds one name in it, and Graph.Open
// turns an Entry into the Dir it stands for; Graph.Walk follows a path
// from the root object. The entries of an object are:
//
//   - a PersistentMapping or PersistentDict (state {'data': dict}): one
//     entry per key of the dict;
//   - a PersistentList (state {'data': list}): entries "0", "1", ...;
//   - a BTree of any family (OOBTree, IOBTree, OIBTree, LLBTree, QQBTree,
//     fsBTree...) and a tree set (OOTreeSet...): all its items in key
//     order, read by walking the chain of buckets from the first one, one
//     bucket loaded at a time as the listing goes — a tree is never read
//     whole to be listed; Lookup goes down the tree to the one key a name
//     stands for. A set's item shows itself as its value;
//   - a bucket or set (OOBucket, OOSet...), looked at on its own: its
//     items, without following the next bucket;
//   - any other instance: its attributes, the keys of its state dict (both
//     dicts of the (dict, slots) state of a class with __slots__); a
//     state that is not a dict is a single entry "state". A subclass of
//     PersistentMapping or PersistentList, and one of those classes whose
//     state holds more than 'data', is shown as an instance, so that
//     nothing is hidden.
//
// Each entry's value is one of (EntryKind):
//
//   - EntryRef: a persistent reference to another object of the database
//     (weak references included): the FUSE layer shows it as that
//     object's directory or as a symlink to oid/<oid>. The object may be
//     missing; the entry is there all the same;
//   - EntryDir: a container that is not persistent — a dict, list, tuple,
//     set, frozenset, or an instance pickled inside the state — as a
//     subdirectory (a *Value), whose entries follow the same rules;
//   - EntryLeaf: any other value, as a file of its text and "\n": a str
//     and bytes as they are, numbers as Python's repr (1.5, 1e+20, 2**70
//     in full), None, True and False as Python prints them, and anything
//     else — a class, a datetime, a complex, a reference into another
//     database — as zpickle.Repr writes it, cut after 64 KiB.
//
// Directories are listed one level at a time: a graph with cycles
// (root/graph/refs/0/refs/0/refs/0/...) is as deep as a person follows it,
// never walked whole.
//
// # Names
//
// An entry is named by its key's natural name: a str key (and a Python 2
// str of ASCII) by its text, any other key by its Python repr — ints in
// decimal, b'x' for bytes, (1, 'a') for a tuple; attributes by their names,
// list items by their index. A natural name becomes a file name one to
// one:
//
//   - '%', '/' and NUL are written %25, %2F and %00; the empty name is
//     "%", "." is %2E and ".." is %2E%2E;
//   - a name longer than 255 bytes is cut to 200 (not inside an escape
//     or a UTF-8 character) and ends with "%#" and the first 16 hex
//     digits of the SHA-256 of the whole escaped name.
//
// Two keys of one directory can have one natural name: str '3' and int 3
// in one dict, or a Python 2 OOBTree holding both. A str key always keeps
// its name; a key of another type whose name is taken gets the suffix
// "%=N", N the number of keys that had that name before it: '3' is "3"
// and 3 is "3%=1". Escaped names never hold "%#" or "%=" otherwise, so no
// suffix makes a name another key has. Within a BTree, keys of one
// natural name that are not text are counted when they follow each other,
// as equal keys do; in a tree mixing str keys with keys Python 3 cannot
// compare them with (which only Python 2 could write), a key whose name a
// str key has may keep it.
//
// A dict's and a set's entries are sorted: None, then numbers by value,
// text by code point, bytes, tuples, then others by name. A BTree's and
// a list's keep their own order.
//
// # Example
//
// The root of testdata/fs1/small/small.fs, at its last transaction:
//
//	graph/          → 0x1b, a zcorpus.Node
//	    data        None
//	    name        A
//	    refs/       a list
//	        0/      → 0x1d, whose refs/0/ is → 0x1e, whose refs/0/ is → 0x1b
//	        1/      → 0x1e
//	        2/      → 0x1, the OOBTree below
//	graph_d/        → 0x1c, deleted: Object says ErrMissing
//	hot/            → 0x3
//	    history/    0 … 9: 1 … 10
//	    n           10
//	iobtree/        → 0x12, an IOBTree of 51 items in an inline bucket
//	    -3164       bytes-3164
//	    -2563       -366.14285714285717
//	    -1366/      → 0x15, a zcorpus.Item
//	    -938/       0: -938, 1: 938 (a tuple)
//	    …
//	meta/           → 0x2, a PersistentMapping: name small, version 1
//	oobtree/        → 0x1, an OOBTree of 301 items in 16 buckets
//	    key0000     666494
//	    key0015     v-key0015
//	    …
//	    zzz-last    last
//	plist/          → 0x13, a PersistentList: 0 1 two three 4.0 None 5/ 6/ 7
//	rawvalue/       → 0x1a, whose state is a str:
//	    state       raw non-dict state ünïcödé ☃ 日本語 Ωμέγα
//	values/         → 0x19
//	    b           \x00\x01\xfe\xff raw bytes (the bytes themselves)
//	    cplx        (1-2j)
//	    d/          3: int key, k/, ü: ß
//	    fs/         1 (a frozenset)
//	    …
//
// # Bounds
//
// A pickle of a few bytes can share one value many times over through its
// memo and so describe a text of exponential size. The work of a listing
// is bounded whatever the record: the repr that names a key is cut after
// 1 KiB before it is escaped (and then shortened as above), a leaf's repr
// after 64 KiB, and the names and leaves of one directory — one record's
// container, or one bucket of a tree — spend at most 8 MiB of text, after
// which leaves read "..." (and names, numbered, "...%=N"). A state text
// stops at 16 MiB. Key comparisons and sorts have step budgets. None of
// this is reached by data an application wrote.
//
// # Errors
//
// Nothing here panics on bad data. Loading an object that has no data at
// the state — a dangling reference, a deleted object — gives an *Error
// wrapping ErrMissing (the FUSE layer's ENOENT). An object whose record
// does not decode is still returned, with its raw data; listing it or
// asking its state gives an *Error wrapping ErrBroken (EIO), as does a
// BTree whose buckets are missing, of the wrong class, out of order or in
// a cycle — an error that may wrap ErrMissing too, so ErrBroken is tested
// first. A name that is not in a directory gives ErrNotFound.
//
// # Concurrency
//
// A Graph, its Objects and Values may be used from several goroutines at
// once; an Iter by one at a time. A Graph keeps the objects it decoded
// last (the inner nodes of the trees being browsed, above all), which is
// right because a database state never changes.
package objgraph
