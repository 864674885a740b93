// Package fs1tools holds the FileStorage inspection and maintenance tools
// behind the fs1 command: dump, dump --verbose, tail, dump-fsi, reindex and
// verify-index.
//
// The outputs are byte for byte those of Python ZODB's tools on the same
// file:
//
//	Dump         src/ZODB/FileStorage/fsdump.py, fsdump()
//	DumpVerbose  src/ZODB/FileStorage/fsdump.py, class Dumper
//	Tail         src/ZODB/scripts/fstail.py
//
// including their Python-isms: metadata printed with Python's repr() of
// bytes (b'...') or, where Python holds an empty str instead, the repr of
// that str: two single quotes.
//
// # Torn files
//
// A file whose last transaction was cut by a crash is printed as far as it
// is intact. Where Python's tool only logs a warning and stops (fsdump at a
// transaction that runs past the end of the file, or at one still being
// committed), the tools stop there too and pass the warning to the
// caller's Warn function; where Python's tool fails, they return the
// *fs1.RecordError saying what is torn and where, after writing the intact
// part.
//
// The functions write to the io.Writer they are given and never print on
// their own.
package fs1tools
