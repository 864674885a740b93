// Package zpickle reads the pickles of ZODB object records: the class of a
// record, the persistent references it holds, and its state decoded to Go
// values with a readable text form.
//
// A ZODB record's data is two pickles back to back, written by one pickler
// and so sharing one memo (ZODB/serialize.py, ObjectWriter._dump):
//
//	+--------------------------+---------------------------------+
//	| class pickle             | state pickle                    |
//	| klass, or (klass, args)  | obj.__getstate__(), usually a   |
//	| ... STOP                 | dict ... STOP                   |
//	+--------------------------+---------------------------------+
//
// klass is a GLOBAL (module and name), or for records of persistent classes
// and old ZODBs a (module, name) tuple. Python 3 ZODB writes protocol 3;
// Python 2 ZODB wrote protocols 1 and 2, where str is a byte string
// (ogórek.ByteString here).
//
// One object refers to another through a persistent id, in the forms
// References lists. ClassOf mirrors ZODB.utils.get_pickle_metadata, Refs
// ZODB.serialize.referencesf.
//
// Decoding goes through github.com/kisielk/og-rek. It lacks a few opcodes
// that records can hold (BUILD and NEWOBJ for instances of plain classes
// above all); rewrite.go turns them into ones og-rek has before it reads a
// record, and nesting.go bounds the work og-rek's recursive hashing of
// dict keys may take. References are found without decoding by the
// scanner of scan.go, which leaves to og-rek what it is unsure of. ClassOf
// reads a GLOBAL in place. Repr bounds its text, depth and work.
//
// Every error about a record's bytes is marked with zodb.ErrCorrupt; no
// input makes a function of this package panic or run without bound.
// All functions are safe for concurrent use.
package zpickle
