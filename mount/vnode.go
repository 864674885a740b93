package mount

import (
	"context"
	"syscall"
	"time"
)

// The model: the tree the mount shows, as values with no FUSE in them, so
// that it is tested by calling it. A vnode is a directory (vdir), a file
// (vfile) or a symbolic link (vlink). The FUSE nodes (node.go) put it on
// the kernel's side: inode numbers, caching, file handles.

const (
	typeDir  = syscall.S_IFDIR
	typeFile = syscall.S_IFREG
	typeLink = syscall.S_IFLNK
)

// vnode is any node of the tree.
type vnode interface {
	// typ returns the node's type: typeDir, typeFile or typeLink.
	typ() uint32
	// mtime returns the node's modification time: the time of the
	// transaction that made what it shows.
	mtime(ctx context.Context) (time.Time, error)
}

// vdir is a directory.
type vdir interface {
	vnode
	// lookup returns the entry called name, or errNotFound.
	lookup(ctx context.Context, name string) (vnode, error)
	// list returns the entries in the order ls shows them unsorted.
	// Everything listed can be looked up.
	list(ctx context.Context) (lister, error)
}

// vfile is a regular file.
type vfile interface {
	vnode
	// content returns the whole file. The caller must not modify it.
	content(ctx context.Context) ([]byte, error)
}

// vlink is a symbolic link.
type vlink interface {
	vnode
	target() string
}

// dirent is one entry of a directory listing.
type dirent struct {
	name string
	typ  uint32
}

// lister goes over a directory's entries. It is used by one goroutine at
// a time.
type lister interface {
	// next returns the next entry; ok is false after the last one.
	next(ctx context.Context) (e dirent, ok bool, err error)
	// close releases what the listing holds; it may be called twice.
	close()
}

// sliceLister lists a slice of entries.
type sliceLister struct {
	entries []dirent
	i       int
}

func listOf(entries ...dirent) *sliceLister { return &sliceLister{entries: entries} }

func (l *sliceLister) next(context.Context) (dirent, bool, error) {
	if l.i >= len(l.entries) {
		return dirent{}, false, nil
	}
	l.i++
	return l.entries[l.i-1], true, nil
}

func (l *sliceLister) close() {}

// linkV is a symbolic link to a fixed target.
type linkV struct {
	to   string
	time time.Time
}

func (l *linkV) typ() uint32                              { return typeLink }
func (l *linkV) mtime(context.Context) (time.Time, error) { return l.time, nil }
func (l *linkV) target() string                           { return l.to }

// textV is a file whose content a function renders.
type textV struct {
	time   time.Time
	render func(ctx context.Context) ([]byte, error)
}

func (t *textV) typ() uint32                                 { return typeFile }
func (t *textV) mtime(context.Context) (time.Time, error)    { return t.time, nil }
func (t *textV) content(ctx context.Context) ([]byte, error) { return t.render(ctx) }

// bytesV is a file of fixed content.
func bytesV(t time.Time, b []byte) *textV {
	return &textV{time: t, render: func(context.Context) ([]byte, error) { return b, nil }}
}

var (
	_ vlink = (*linkV)(nil)
	_ vfile = (*textV)(nil)
)
