package mount

import (
	"context"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// fileHandle is an open file: its whole content, as of the open.
type fileHandle struct {
	data  []byte
	mtime time.Time
}

var (
	_ fs.FileReader    = (*fileHandle)(nil)
	_ fs.FileGetattrer = (*fileHandle)(nil)
	_ fs.FileFlusher   = (*fileHandle)(nil)
)

// Flush says that flushing is not supported: nothing is written here, and
// the kernel then stops asking at every close.
func (h *fileHandle) Flush(context.Context) syscall.Errno { return syscall.ENOSYS }

func (h *fileHandle) Read(_ context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	return fuse.ReadResultData(clampRead(h.data, dest, off)), 0
}

// clampRead returns the part of data a read of len(dest) bytes at off
// gets: nothing at or past the end.
func clampRead(data, dest []byte, off int64) []byte {
	if off < 0 || off >= int64(len(data)) {
		return nil
	}
	end := off + int64(len(dest))
	if end > int64(len(data)) {
		end = int64(len(data))
	}
	return data[off:end]
}

func (h *fileHandle) Getattr(_ context.Context, out *fuse.AttrOut) syscall.Errno {
	h.fillAttr(&out.Attr)
	return 0
}

func (h *fileHandle) fillAttr(out *fuse.Attr) {
	out.Size = uint64(len(h.data))
	out.Mode = typeFile | 0o444
	out.Nlink = 1
	setTimes(out, h.mtime)
}

// dirHandle is an open directory: a listing, started at the first read
// and restarted for a seek back.
type dirHandle struct {
	n   *dirNode
	dir vdir
	l   lister
	pos uint64 // entries returned so far
}

var (
	_ fs.FileReaddirenter = (*dirHandle)(nil)
	_ fs.FileSeekdirer    = (*dirHandle)(nil)
	_ fs.FileReleasedirer = (*dirHandle)(nil)
)

func (h *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	if h.l == nil {
		l, err := h.dir.list(ctx)
		if err != nil {
			return nil, h.n.errno("readdir", err)
		}
		h.l = l
	}
	e, ok, err := h.l.next(ctx)
	if err != nil {
		return nil, h.n.errno("readdir", err)
	}
	if !ok {
		return nil, 0
	}
	h.pos++
	return &fuse.DirEntry{
		Name: e.name,
		Mode: e.typ,
		Ino:  childIno(h.n.StableAttr().Ino, e.name, e.typ),
		Off:  h.pos,
	}, 0
}

// Seekdir goes to the entry after the first off ones, by listing again.
func (h *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	if h.l != nil {
		h.l.close()
		h.l = nil
	}
	h.pos = 0
	for h.pos < off {
		e, errno := h.Readdirent(ctx)
		if errno != 0 {
			return errno
		}
		if e == nil {
			break
		}
	}
	return 0
}

func (h *dirHandle) Releasedir(context.Context, uint32) {
	if h.l != nil {
		h.l.close()
	}
}
