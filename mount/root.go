package mount

import (
	"context"
	"strings"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// rootAttrTimeout is how long the kernel keeps the root's attributes,
// asked at every path walk: its mtime is head's, which may change.
const rootAttrTimeout = time.Second

// rootNode is the mount's root:
//
//	head/       the newest state, following commits (see headSrc)
//	txn/        every transaction (see txnDirV)
//	@<tid>/     the state as of a transaction, made when looked up and
//	            listed from then on
//	@<alias>    a symbolic link to @<tid> for another name of a state: a
//	            tid prefix, a date (see FS.resolveSnap); looked up, never
//	            listed
type rootNode struct {
	fs.Inode
	t *tree
}

var (
	_ fs.NodeGetattrer = (*rootNode)(nil)
	_ fs.NodeLookuper  = (*rootNode)(nil)
	_ fs.NodeReaddirer = (*rootNode)(nil)
	_ fs.NodeStatfser  = (*rootNode)(nil)
)

func (r *rootNode) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = typeDir | 0o555
	out.Nlink = 2
	setTimes(&out.Attr, r.t.fsys.head.current(ctx).Time())
	out.SetTimeout(rootAttrTimeout)
	return 0
}

func (r *rootNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	f := r.t.fsys
	switch {
	case name == "head":
		return r.t.addChild(ctx, &r.Inode, name, f.snap(f.head.current(ctx)), newHeadSrc(f), out)
	case name == "txn":
		v := &txnDirV{fsys: f}
		return r.t.addChild(ctx, &r.Inode, name, v, fixedSrc{v}, out)
	case !strings.HasPrefix(name, "@"):
		return nil, syscall.ENOENT
	}
	tid, canonical, err := f.resolveSnap(ctx, name)
	if err != nil {
		return nil, toErrno(f.log, "lookup "+name, err)
	}
	if !canonical {
		// An alias may name another state later ("yesterday", a tid
		// after head): the kernel asks again each time.
		v := &linkV{to: "@" + tid.String(), time: tid.Time()}
		return r.t.addChild(ctx, &r.Inode, name, v, aliasSrc{f, name}, out)
	}
	f.remember(tid)
	s := f.snap(tid)
	return r.t.addChild(ctx, &r.Inode, name, s, fixedSrc{s}, out)
}

// aliasSrc is the source of an alias link, which resolves its name again
// for each use.
type aliasSrc struct {
	fsys *FS
	name string
}

func (s aliasSrc) get(ctx context.Context) (vnode, error) {
	tid, _, err := s.fsys.resolveSnap(ctx, s.name)
	if err != nil {
		return nil, err
	}
	return &linkV{to: "@" + tid.String(), time: tid.Time()}, nil
}

func (s aliasSrc) child(_ string, v vnode) source { return fixedSrc{v} }
func (s aliasSrc) live() bool                     { return true }

func (r *rootNode) Readdir(ctx context.Context) (fs.DirStream, syscall.Errno) {
	entries := []fuse.DirEntry{
		{Name: "head", Mode: typeDir, Ino: childIno(rootIno, "head", typeDir)},
		{Name: "txn", Mode: typeDir, Ino: childIno(rootIno, "txn", typeDir)},
	}
	for _, tid := range r.t.fsys.snapshots() {
		name := "@" + tid.String()
		entries = append(entries, fuse.DirEntry{Name: name, Mode: typeDir, Ino: childIno(rootIno, name, typeDir)})
	}
	return fs.NewListDirStream(entries), 0
}

// Statfs answers df and the programs that ask before they read.
func (r *rootNode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	out.Bsize = 4096
	out.Frsize = 4096
	out.NameLen = 255
	return 0
}
