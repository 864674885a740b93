// Package tools is zodbtools as a library: the work behind the `zodb`
// command's subcommands, each a function that reads a storage through the
// zodb.Storage interface and writes its report to an io.Writer. Function
// and output are those of Nexedi's zodbtools, byte for byte:
//
//   - Dump writes zodbtools' dump format (zodbtools/zodbdump.py), shown
//     below, with a transaction's objects sorted by oid and metadata quoted
//     as pygolang's strconv.quote does it (see AppendQuote).
//   - Info prints a storage's parameters (zodbtools/zodbinfo.py).
//   - Catobj prints one object revision, as a dump's obj entry or raw.
//   - Analyze computes zodbtools' per-class usage report
//     (zodbtools/zodbanalyze.py), printed as text or CSV.
//
// and the write side, over the zodb.Writer interface:
//
//   - DumpReader reads the dump format back (zodbtools' DumpReader),
//     checking sizes, hashes and that tids grow; Unquote undoes the
//     metadata quoting.
//   - Restore commits a dump's transactions with their tids
//     (zodbtools/zodbrestore.py), Commit one new transaction with conflict
//     checks (zodbtools/zodbcommit.py).
//   - Cmp compares two storages transaction by transaction
//     (zodbtools/zodbcmp.py).
//   - Convert copies a storage into another, backpointers kept, resuming
//     where an earlier copy stopped.
//
// The dump format:
//
//	txn <tid> <status|quote>
//	user <user|quote>
//	description <description|quote>
//	extension <raw extension|quote>
//	obj <oid> (delete | from <tid> | <size> <hashfunc>:<hash> (" -" | LF <data>)) LF
//	...
//	LF
//
// Dump writes sha1 hashes; a dump may also use null, adler32, crc32,
// sha256 or sha512, as zodbtools' reader accepts them.
//
// Functions never print to stdout on their own: they are given the writers
// to use, and report failures as errors starting with "tools: ".
package tools
