package fs1

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Reads of committed records (Load, History) copy from a read-only memory
// map of the file instead of calling pread: a system call costs about a
// microsecond in a virtual machine, more than the rest of a Load. Scans
// keep reading large blocks with pread.
//
// The map may be longer than the file (room to grow without remapping);
// only bytes before File.Size are read through it. A fault while reading
// it (the file truncated under us, an I/O error) becomes an error instead
// of a crash.

// fileMaps holds the memory maps of a File.
type fileMaps struct {
	cur atomic.Pointer[[]byte] // nil: not mapped, read with pread
	mu  sync.Mutex
	old [][]byte // replaced maps: readers may still copy from them
}

// remap makes sure the map covers size bytes, mapping anew with room to
// grow when it does not. Failing to map is not an error: reads fall back
// to pread.
func (f *File) remap(size int64) {
	if cur := f.maps.cur.Load(); size == 0 || (cur != nil && int64(len(*cur)) >= size) {
		return
	}
	f.maps.mu.Lock()
	defer f.maps.mu.Unlock()
	cur := f.maps.cur.Load()
	if cur != nil && int64(len(*cur)) >= size {
		return
	}
	b, err := mmapFile(f.f, size*2+mapHeadroom)
	if err != nil {
		return
	}
	if cur != nil {
		f.maps.old = append(f.maps.old, *cur)
	}
	f.maps.cur.Store(&b)
}

// mapHeadroom is mapped past the end of the file so that a growing file
// is not remapped at every commit.
const mapHeadroom = 64 << 20

// unmapAll releases the maps. REQUIRES: no read in progress (Close).
func (f *File) unmapAll() {
	f.maps.mu.Lock()
	defer f.maps.mu.Unlock()
	if cur := f.maps.cur.Swap(nil); cur != nil {
		f.maps.old = append(f.maps.old, *cur)
	}
	for _, b := range f.maps.old {
		munmap(b)
	}
	f.maps.old = nil
}

// copyMapped fills dst from the map at pos, if the map covers it.
func (f *File) copyMapped(dst []byte, pos int64) (ok bool, err error) {
	m := f.maps.cur.Load()
	if m == nil || pos < 0 || pos+int64(len(dst)) > int64(len(*m)) {
		return false, nil
	}
	defer endFaultGuard(debug.SetPanicOnFault(true), &err, f, pos)
	copy(dst, (*m)[pos:])
	return true, nil
}

// endFaultGuard, deferred, restores the goroutine's panic-on-fault
// setting and turns a memory fault into an error. Other panics go on.
func endFaultGuard(old bool, err *error, f *File, pos int64) {
	debug.SetPanicOnFault(old)
	r := recover()
	if r == nil {
		return
	}
	if re, ok := r.(runtime.Error); ok {
		if _, fault := r.(interface{ Addr() uintptr }); fault {
			*err = f.recErr(pos, fmt.Errorf("reading the mapped file (truncated, or an I/O error): %w", re))
			return
		}
	}
	panic(r)
}
