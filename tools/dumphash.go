package tools

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"hash/adler32"
	"hash/crc32"
)

// dumpHashes are the hash functions a dump's obj lines may name, as
// zodbtools' util.hashRegistry lists them. Dump writes sha1 only; the
// others are read for dumps made by hand or by other tools (zodbtools'
// tests use crc32, adler32 and null). adler32 and crc32 are big-endian
// 4-byte digests, as zodbtools packs them.
var dumpHashes = map[string]*dumpHash{
	"null":    {"null", 1, newNullHash},
	"adler32": {"adler32", 4, func() hash.Hash { return adler32.New() }},
	"crc32":   {"crc32", 4, func() hash.Hash { return crc32.NewIEEE() }},
	"sha1":    {"sha1", sha1.Size, sha1.New},
	"sha256":  {"sha256", sha256.Size, sha256.New},
	"sha512":  {"sha512", sha512.Size, sha512.New},
}

// dumpHash is one hash function of dumps: its name, digest size and
// constructor.
type dumpHash struct {
	name string
	size int
	new  func() hash.Hash
}

// nullHash is zodbtools' NullHasher: it ignores the data and its digest is
// the one byte 0.
type nullHash struct{}

func newNullHash() hash.Hash { return nullHash{} }

func (nullHash) Write(p []byte) (int, error) { return len(p), nil }
func (nullHash) Sum(b []byte) []byte         { return append(b, 0) }
func (nullHash) Reset()                      {}
func (nullHash) Size() int                   { return 1 }
func (nullHash) BlockSize() int              { return 1 }
