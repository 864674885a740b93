package fs1

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// File is an open FileStorage data file, read record by record.
//
// A File sees the file as it was when opened or last refreshed (Refresh):
// bytes appended since are out of its reach. Its methods may be called from
// several goroutines at once.
type File struct {
	f     *os.File
	path  string
	magic string
	size  atomic.Int64
	maps  fileMaps
}

// OpenFile opens a data file for reading and checks its magic. An empty
// (0-byte) file is accepted as one without transactions, as Python's
// FileStorage accepts it; its Magic is "".
func OpenFile(path string) (*File, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fs1: %w", err)
	}
	f := &File{f: osf, path: path}
	if err := f.readMagic(); err != nil {
		osf.Close()
		return nil, err
	}
	return f, nil
}

func (f *File) readMagic() error {
	size, err := f.Refresh()
	if err != nil {
		return err
	}
	if size == 0 {
		return nil
	}
	var b [FileHeaderLen]byte
	if _, err := f.f.ReadAt(b[:], 0); err != nil {
		if err == io.EOF {
			err = corruptf("file too short for a FileStorage magic")
		}
		return f.recErr(0, err)
	}
	switch m := string(b[:]); m {
	case Magic21, Magic30:
		f.magic = m
	default:
		return f.recErr(0, corruptf("not a FileStorage: magic %q, want %q or %q", b[:], Magic30, Magic21))
	}
	return nil
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Magic returns the file's magic: Magic21 or Magic30 ("" for an empty file).
func (f *File) Magic() string { return f.magic }

// Size returns the size of the file as of the open or the last Refresh.
func (f *File) Size() int64 { return f.size.Load() }

// Refresh takes in what was appended to the file since it was opened and
// returns the new size. The size may also go down: a writer that aborts a
// voted transaction cuts it off again. Callers that serve the file check
// that it still holds what they serve; a pack, which replaces the file, is
// not followed.
func (f *File) Refresh() (int64, error) {
	fi, err := f.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("fs1: %w", err)
	}
	f.setSize(fi.Size())
	return fi.Size(), nil
}

// setSize makes the first size bytes of the file readable through f: the
// writer calls it once a transaction is written, without a stat.
func (f *File) setSize(size int64) {
	f.size.Store(size)
	f.remap(size)
}

// Close closes the file. No read may be in progress or start after it.
func (f *File) Close() error {
	f.unmapAll()
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("fs1: %w", err)
	}
	return nil
}

// readAt fills b from pos, which the caller has checked lies in the file
// with len(b) bytes after it. A short read means the file shrank under us.
func (f *File) readAt(b []byte, pos int64) error {
	if pos+int64(len(b)) <= f.Size() {
		if ok, err := f.copyMapped(b, pos); ok || err != nil {
			return err
		}
	}
	n, err := f.f.ReadAt(b, pos)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = tornf("read %d of %d bytes", n, len(b))
	}
	return f.recErr(pos, err)
}
