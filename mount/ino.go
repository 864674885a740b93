package mount

// Inode numbers are derived from paths: a child's number mixes its
// parent's, its name and its type. The same path gives the same number
// every time, in this mount and the next, with no table to keep; a
// directory of a million objects costs nothing until its entries are
// looked up. Two paths share a number with a probability of about
// n²/2⁶⁵ for n nodes looked up — for ten million, one in 10¹⁵.

const (
	rootIno uint64 = 1 // FUSE's root node id
	// fnvOffset and fnvPrime are FNV-1a's 64-bit parameters.
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

// childIno returns the inode number of the entry name of type typ (the
// S_IFMT bits) in the directory whose inode number is parent.
func childIno(parent uint64, name string, typ uint32) uint64 {
	h := fnvOffset
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= fnvPrime
	}
	h ^= uint64(typ)
	h *= fnvPrime
	h = mix64(h ^ mix64(parent))
	if h <= rootIno {
		h += 2 // 0 asks go-fuse for a number of its own; 1 is the root
	}
	return h
}

// mix64 is splitmix64's finalizer: every input bit reaches every output
// bit, so nearby parents and names give unrelated numbers.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
