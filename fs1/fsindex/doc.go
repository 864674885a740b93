// Package fsindex is FileStorage's index: the map from each object's oid to
// the file position of its current data record, and its on-disk form
// data.fs.index as Python ZODB's fsIndex (src/ZODB/fsIndex.py) reads and
// writes it.
//
// In memory the index is an ordered B-tree (modernc.org/b/v2) keyed by oid,
// so that lookups on every Load are a tree search and iteration is in oid
// order, the order Python writes.
//
// # File format
//
// Python splits each 8-byte oid into a 6-byte prefix and a 2-byte suffix and
// keeps one bucket per prefix; a bucket is saved as one byte string, all its
// suffixes (ascending) followed by all its positions, each position the low
// 6 bytes of the big-endian 64-bit value:
//
//	bucket string: | sfx0 | sfx1 | ... | sfxN-1 | pos0 (6) | pos1 (6) | ... | posN-1 (6) |
//	                 2 bytes each                 6 bytes each
//
// The newer ("stream") form, which fsIndex.save writes and Save writes, is a
// sequence of separate pickles, each with its own PROTO header and STOP:
//
//	pickle(pos)                      the file position the index covers up to
//	pickle((prefix, bucket string))  one per prefix, ascending
//	...
//	pickle(None)                     end
//
// written with pickle protocol 3 and Pickler.fast (no memo), so a py3
// prefix or bucket is SHORT_BINBYTES or BINBYTES. Python 2 ZODB wrote the
// same stream with str (SHORT_BINSTRING/BINSTRING) instead of bytes.
//
// The older form, which ZODB before 3.9 wrote, is a single pickle of
// {'pos': pos, 'index': index}, where index is a plain dict oid→pos or a
// pickled fsIndex instance (its state either state_version 1 — a list of
// (prefix, bucket string) — or the original __dict__ holding an OOBTree of
// fsBTree). Load accepts all of them.
//
// # Why a private unpickler
//
// The project uses og-rek for pickles, but og-rek does not implement the
// BUILD opcode, which every pickled fsIndex instance of the old form uses.
// Load therefore reads index files with a small unpickler of its own
// (pickle.go) that knows the opcodes these files hold and rejects the rest
// as corrupt. Save writes its few opcodes directly.
package fsindex
