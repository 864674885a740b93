package mount

import (
	"bytes"
	"context"
	"io"
	"slices"
	"time"

	ogórek "github.com/kisielk/og-rek"

	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// txnDirV is txn/: a directory <tid> for every transaction up to head,
// listed in tid order as the listing goes.
type txnDirV struct {
	fsys *FS
}

var (
	_ vdir      = (*txnDirV)(nil)
	_ volatiler = (*txnDirV)(nil)
)

func (d *txnDirV) typ() uint32 { return typeDir }

// volatile says that txn/'s attributes change: its mtime is head's.
func (d *txnDirV) volatile() bool { return true }

func (d *txnDirV) mtime(ctx context.Context) (time.Time, error) {
	return d.fsys.head.current(ctx).Time(), nil
}

func (d *txnDirV) lookup(ctx context.Context, name string) (vnode, error) {
	tid, err := zodb.ParseTid(name)
	if err != nil || tid.String() != name {
		return nil, errNotFound
	}
	info, err := d.fsys.txn(ctx, tid)
	if err != nil {
		return nil, err
	}
	return &txnV{fsys: d.fsys, info: info}, nil
}

func (d *txnDirV) list(ctx context.Context) (lister, error) {
	return &txnLister{fsys: d.fsys}, nil
}

// txnLister streams txn/'s entries from an iteration over the storage.
type txnLister struct {
	fsys   *FS
	it     zodb.Iterator
	ctx    context.Context
	cancel context.CancelFunc
}

func (l *txnLister) next(reqCtx context.Context) (dirent, bool, error) {
	if l.it == nil {
		// The iteration outlives the request that started it.
		l.ctx, l.cancel = context.WithCancel(context.WithoutCancel(reqCtx))
		l.it = iterate(l.ctx, l.fsys.stor, 0, l.fsys.head.current(reqCtx))
	}
	info, _, err := l.it.NextTxn(l.ctx)
	if err == io.EOF {
		return dirent{}, false, nil
	}
	if err != nil {
		return dirent{}, false, err
	}
	// ls -l looks each entry up next: without this, each lookup would
	// look for its transaction in the file again.
	l.fsys.cacheTxn(info)
	return dirent{info.Tid.String(), typeDir}, true, nil
}

func (l *txnLister) close() {
	if l.cancel != nil {
		l.cancel()
	}
}

// txnKey names a transaction's metadata in the cache.
type txnKey zodb.Tid

// txn returns the metadata of transaction tid, or errNotFound when the
// storage has no such transaction up to head.
func (f *FS) txn(ctx context.Context, tid zodb.Tid) (*zodb.TxnInfo, error) {
	if v, ok := f.cache.get(txnKey(tid)); ok {
		return v.(*zodb.TxnInfo), nil
	}
	if tid > f.head.current(ctx) && tid > f.head.sync(ctx) {
		return nil, errNotFound
	}
	info, _, err := f.stor.Iterate(ctx, tid, tid).NextTxn(ctx)
	if err == io.EOF || err == nil && info.Tid != tid {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	f.cacheTxn(info)
	return info, nil
}

// cacheTxn caches the metadata of a transaction.
func (f *FS) cacheTxn(info *zodb.TxnInfo) {
	f.cache.put(txnKey(info.Tid), info, int64(len(info.User)+len(info.Description)+len(info.Extension)))
}

// txnV is txn/<tid>/: one transaction.
//
//	status       committed, packed, checkpoint or undone
//	user         the user, as stored, and a newline
//	description  the description, as stored, and a newline
//	extension    the extension dict, decoded, as Python would show it
//	objects/     a symbolic link <oid> → ../../../@<tid>/oid/<oid> for
//	             every object the transaction wrote
type txnV struct {
	fsys *FS
	info *zodb.TxnInfo
}

var _ vdir = (*txnV)(nil)

var txnNames = []dirent{{"description", typeFile}, {"extension", typeFile},
	{"objects", typeDir}, {"status", typeFile}, {"user", typeFile}}

func (d *txnV) typ() uint32 { return typeDir }

func (d *txnV) mtime(context.Context) (time.Time, error) { return d.info.Tid.Time(), nil }

func (d *txnV) list(context.Context) (lister, error) { return listOf(txnNames...), nil }

func (d *txnV) lookup(ctx context.Context, name string) (vnode, error) {
	t := d.info.Tid.Time()
	switch name {
	case "status":
		return bytesV(t, []byte(statusWord(d.info.Status)+"\n")), nil
	case "user":
		return bytesV(t, line(d.info.User)), nil
	case "description":
		return bytesV(t, line(d.info.Description)), nil
	case "extension":
		return bytesV(t, extensionText(d.info.Extension)), nil
	case "objects":
		return &txnObjectsV{txn: d}, nil
	}
	return nil, errNotFound
}

// statusWord names a transaction status.
func statusWord(s zodb.TxnStatus) string {
	switch s {
	case zodb.TxnComplete:
		return "committed"
	case zodb.TxnPacked:
		return "packed"
	case zodb.TxnInprogress:
		return "checkpoint"
	case zodb.TxnUndone:
		return "undone"
	}
	return "unknown " + tools.Quote([]byte{byte(s)})
}

// line returns b followed by a newline, or nothing for an empty b.
func line(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append(slices.Clip(b), '\n')
}

// extensionText is the extension file: the dict ZODB unpickles from the
// raw bytes (an empty one for none), as zpickle.Repr writes it, and a
// newline. Bytes that do not unpickle are shown quoted, with a note.
func extensionText(ext []byte) []byte {
	if len(ext) == 0 {
		return []byte("{}\n")
	}
	dec := ogórek.NewDecoderWithConfig(bytes.NewReader(ext),
		&ogórek.DecoderConfig{PyDict: true, StrictUnicode: true})
	v, err := dec.Decode()
	if err != nil {
		return []byte("# not a pickle: " + tools.Quote(ext) + "\n")
	}
	return []byte(zpickle.Repr(v) + "\n")
}

// txnObjectsV is txn/<tid>/objects/.
type txnObjectsV struct {
	txn *txnV
}

var _ vdir = (*txnObjectsV)(nil)

func (d *txnObjectsV) typ() uint32 { return typeDir }

func (d *txnObjectsV) mtime(ctx context.Context) (time.Time, error) { return d.txn.mtime(ctx) }

// txnOidsKey names the oids a transaction wrote in the cache.
type txnOidsKey zodb.Tid

// oids returns the oids the transaction wrote, sorted.
func (d *txnObjectsV) oids(ctx context.Context) ([]zodb.Oid, error) {
	f, tid := d.txn.fsys, d.txn.info.Tid
	if v, ok := f.cache.get(txnOidsKey(tid)); ok {
		return v.([]zodb.Oid), nil
	}
	_, dit, err := f.stor.Iterate(ctx, tid, tid).NextTxn(ctx)
	if err != nil {
		return nil, err
	}
	var oids []zodb.Oid
	for {
		d, err := dit.NextData(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		oids = append(oids, d.Oid)
	}
	slices.Sort(oids)
	oids = slices.Compact(oids)
	f.cache.put(txnOidsKey(tid), oids, int64(8*len(oids)))
	return oids, nil
}

func (d *txnObjectsV) list(ctx context.Context) (lister, error) {
	oids, err := d.oids(ctx)
	if err != nil {
		return nil, err
	}
	l := listOf()
	for _, oid := range oids {
		l.entries = append(l.entries, dirent{oid.String(), typeLink})
	}
	return l, nil
}

func (d *txnObjectsV) lookup(ctx context.Context, name string) (vnode, error) {
	oid, err := zodb.ParseOid(name)
	if err != nil || oid.String() != name {
		return nil, errNotFound
	}
	oids, err := d.oids(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := slices.BinarySearch(oids, oid); !ok {
		return nil, errNotFound
	}
	tid := d.txn.info.Tid
	return &linkV{to: "../../../@" + tid.String() + "/oid/" + name, time: tid.Time()}, nil
}
