package mount

import (
	"context"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// How long the kernel may keep what it learned. What a snapshot or a
// transaction shows never changes: a day. What may change — head/, the
// root, aliases, txn/'s own attributes — is not cached at all.
const (
	stableTimeout = 24 * time.Hour
	volatileAttr  = 0
)

// volatiler is a vnode whose attributes change though it is not under
// head/ (txn/, whose mtime is head's).
type volatiler interface{ volatile() bool }

// tree is what every FUSE node of one mount shares.
type tree struct {
	fsys *FS
}

// newNode returns the FUSE node of type typ showing src.
func (t *tree) newNode(typ uint32, src source) fs.InodeEmbedder {
	switch typ {
	case typeDir:
		return &dirNode{nodeBase{t: t, src: src}}
	case typeLink:
		return &linkNode{nodeBase{t: t, src: src}}
	}
	return &fileNode{nodeBase{t: t, src: src}}
}

// nodeBase is what every FUSE node holds: the inode, and the source of
// the vnode it shows.
type nodeBase struct {
	fs.Inode
	t   *tree
	src source
}

// vnode returns the vnode the node shows now, or ENOENT when under head/
// its path is gone or now holds another type of node.
func (n *nodeBase) vnode(ctx context.Context) (vnode, syscall.Errno) {
	v, err := n.src.get(ctx)
	if err != nil {
		return nil, n.errno("resolve", err)
	}
	if v.typ() != n.StableAttr().Mode&syscall.S_IFMT {
		return nil, syscall.ENOENT
	}
	return v, 0
}

func (n *nodeBase) errno(op string, err error) syscall.Errno {
	return toErrno(n.t.fsys.log, op+" "+n.Path(nil), err)
}

// stable says whether the kernel may cache the node's attributes.
func (n *nodeBase) stable(v vnode) bool {
	if vv, ok := v.(volatiler); ok && vv.volatile() {
		return false
	}
	return !n.src.live()
}

// fillAttr fills out for v, whose content is data (for a file).
func (n *nodeBase) fillAttr(ctx context.Context, v vnode, out *fuse.Attr) syscall.Errno {
	mt, err := v.mtime(ctx)
	if err != nil {
		return n.errno("getattr", err)
	}
	switch v := v.(type) {
	case vfile:
		data, err := v.content(ctx)
		if err != nil {
			return n.errno("getattr", err)
		}
		out.Size = uint64(len(data))
		out.Mode = typeFile | 0o444
		out.Nlink = 1
	case vlink:
		out.Size = uint64(len(v.target()))
		out.Mode = typeLink | 0o777
		out.Nlink = 1
	default:
		out.Mode = typeDir | 0o555
		out.Nlink = 2
	}
	setTimes(out, mt)
	return 0
}

func setTimes(out *fuse.Attr, t time.Time) {
	out.SetTimes(&t, &t, &t)
}

func (n *nodeBase) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if h, ok := f.(*fileHandle); ok {
		h.fillAttr(&out.Attr)
		return 0
	}
	v, errno := n.vnode(ctx)
	if errno != 0 {
		return errno
	}
	if errno := n.fillAttr(ctx, v, &out.Attr); errno != 0 {
		return errno
	}
	if n.stable(v) {
		out.SetTimeout(stableTimeout)
	}
	return 0
}

// dirNode is a directory.
type dirNode struct{ nodeBase }

var (
	_ fs.NodeGetattrer      = (*dirNode)(nil)
	_ fs.NodeLookuper       = (*dirNode)(nil)
	_ fs.NodeOpendirHandler = (*dirNode)(nil)
)

func (n *dirNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	v, errno := n.vnode(ctx)
	if errno != 0 {
		return nil, errno
	}
	cv, err := v.(vdir).lookup(ctx, name)
	if err != nil {
		return nil, n.errno("lookup "+name+" in", err)
	}
	return n.t.addChild(ctx, &n.Inode, name, cv, n.src.child(name, cv), out)
}

// addChild returns the inode of entry name of parent, showing v from
// src, and fills out.
func (t *tree) addChild(ctx context.Context, parent *fs.Inode, name string, v vnode, src source, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	typ := v.typ()
	node := t.newNode(typ, src)
	ino := childIno(parent.StableAttr().Ino, name, typ)
	child := parent.NewInode(ctx, node, fs.StableAttr{Mode: typ, Ino: ino})
	base := child.Operations().(interface{ base() *nodeBase }).base()
	if errno := base.fillAttr(ctx, v, &out.Attr); errno != 0 {
		return nil, errno
	}
	out.Ino = ino
	if base.stable(v) {
		out.SetEntryTimeout(stableTimeout)
		out.SetAttrTimeout(stableTimeout)
	}
	return child, 0
}

func (n *nodeBase) base() *nodeBase { return n }

func (n *dirNode) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	v, errno := n.vnode(ctx)
	if errno != 0 {
		return nil, 0, errno
	}
	return &dirHandle{n: n, dir: v.(vdir)}, 0, 0
}

// fileNode is a regular file.
type fileNode struct{ nodeBase }

var (
	_ fs.NodeGetattrer = (*fileNode)(nil)
	_ fs.NodeOpener    = (*fileNode)(nil)
)

// Open reads the whole file, from the state it is at now, into the handle:
// what the reader reads is one state's. A snapshot's file never changes,
// so the kernel keeps its pages; a file under head/ is read past the page
// cache, each open seeing its own state.
func (n *fileNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY {
		return nil, 0, syscall.EROFS
	}
	v, errno := n.vnode(ctx)
	if errno != 0 {
		return nil, 0, errno
	}
	data, err := v.(vfile).content(ctx)
	if err != nil {
		return nil, 0, n.errno("open", err)
	}
	mt, err := v.mtime(ctx)
	if err != nil {
		return nil, 0, n.errno("open", err)
	}
	h := &fileHandle{data: data, mtime: mt}
	if n.stable(v) {
		return h, fuse.FOPEN_KEEP_CACHE, 0
	}
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// linkNode is a symbolic link.
type linkNode struct{ nodeBase }

var (
	_ fs.NodeGetattrer  = (*linkNode)(nil)
	_ fs.NodeReadlinker = (*linkNode)(nil)
)

func (n *linkNode) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	v, errno := n.vnode(ctx)
	if errno != 0 {
		return nil, errno
	}
	return []byte(v.(vlink).target()), 0
}
