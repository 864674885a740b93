// Package mount serves a ZODB database and its whole history as a
// read-only FUSE filesystem: `zodb mount URL DIR`.
//
//	DIR/head/              the newest state, following new commits
//	DIR/head/at            the tid of the state head/ shows
//	DIR/@<tid>/            the state as of transaction <tid>
//	DIR/@<name>            a link to the @<tid> a tid prefix or a date names
//	<state>/root/...       the object graph from the root object (objgraph)
//	<state>/oid/<oid>/     one object: data, class, state, serial, history, refs/
//	DIR/txn/<tid>/         one transaction: status, user, description,
//	                       extension, objects/
//
// # Design
//
// The tree is a model of plain values, vnodes (vnode.go), that know
// nothing of FUSE: a vdir looks names up and lists its entries, a vfile
// renders its content, a vlink names its target. Tests call them directly.
// The FUSE nodes (node.go, root.go) put vnodes on the kernel's side: each
// embeds fs.Inode and shows the vnode a source gives it (source.go). Under
// @<tid>/ and txn/ a node shows one vnode for good; under head/ it shows
// what is at its path in the head's current state, resolved again when
// head moves (headSrc).
//
// # Consistency
//
// A state never changes, so everything under @<tid>/ and txn/<tid>/ is
// cached by the kernel — entries, attributes, pages — for a day. Inode
// numbers are hashes of paths (ino.go): the same path has the same number
// in every mount. Files are rendered whole at open; Getattr gives their
// real size and, for an object's files, the time of its serial as mtime.
// head/ is cached by nobody: each operation reads the head once (head.go),
// and a file opened under head/ keeps the state it was opened at.
//
// Records loaded and files rendered are kept in a cache bounded in bytes
// (cache.go) under keys holding their state's tid.
//
// # Errors
//
// toErrno (errno.go) is the one place where errors become errno values:
// a missing name or object is ENOENT, an interrupted request EINTR, and
// anything else — a corrupt record, a storage failure — EIO, logged with
// its cause. Nothing here panics on bad data.
package mount
