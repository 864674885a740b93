package mount

import (
	"context"
	"errors"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// snapshot is the database as of one transaction: the directory @<tid>/
// and, at the head's tid, head/. It holds nothing but its tid; what it
// loads is cached in its FS under keys holding the tid.
//
//	at      the tid, in hex
//	oid/    every object with a record up to the tid (see oidDirV)
//	root/   the object graph from the root object (see graph.go)
type snapshot struct {
	fsys *FS
	at   zodb.Tid
}

var _ vdir = (*snapshot)(nil)

func (s *snapshot) typ() uint32 { return typeDir }

func (s *snapshot) mtime(context.Context) (time.Time, error) { return s.at.Time(), nil }

func (s *snapshot) lookup(ctx context.Context, name string) (vnode, error) {
	switch name {
	case "at":
		return bytesV(s.at.Time(), []byte(s.at.String()+"\n")), nil
	case "oid":
		return &oidDirV{s: s}, nil
	case "root":
		return s.root(ctx)
	}
	return nil, errNotFound
}

func (s *snapshot) list(ctx context.Context) (lister, error) {
	l := listOf(dirent{"at", typeFile}, dirent{"oid", typeDir})
	switch _, err := s.root(ctx); {
	case err == nil:
		l.entries = append(l.entries, dirent{"root", typeDir})
	case err != errNotFound:
		return nil, err
	}
	return l, nil
}

// objKey names an object as of a snapshot, in the cache.
type objKey struct {
	at  zodb.Tid
	oid zodb.Oid
}

// objRev is an object as of a snapshot: its revision's record, or its
// deletion.
type objRev struct {
	oid     zodb.Oid
	data    []byte   // the record as Load returns it; nil when deleted
	serial  zodb.Tid // the tid of the revision (of the deletion)
	deleted bool
}

// obj loads oid as of the snapshot. An object with no record up to the
// snapshot gives errNotFound; a deleted one an objRev with deleted set.
func (s *snapshot) obj(ctx context.Context, oid zodb.Oid) (*objRev, error) {
	key := objKey{s.at, oid}
	if v, ok := s.fsys.cache.get(key); ok {
		return v.(*objRev), nil
	}
	rev, err := loadRev(ctx, s.fsys.stor, s.at, oid)
	if err != nil {
		return nil, err
	}
	s.fsys.cache.put(key, rev, int64(len(rev.data)))
	return rev, nil
}

// loadRev loads oid as of at from l.
func loadRev(ctx context.Context, l zodb.Loader, at zodb.Tid, oid zodb.Oid) (*objRev, error) {
	data, serial, err := l.Load(ctx, zodb.Xid{At: at, Oid: oid})
	if err == nil {
		return &objRev{oid: oid, data: data, serial: serial}, nil
	}
	if deletedAt, ok := deletion(err); ok {
		return &objRev{oid: oid, serial: deletedAt, deleted: true}, nil
	}
	if zodb.IsNoData(err) {
		return nil, errNotFound
	}
	return nil, err
}

// deletion says whether err is a Load's answer for a deleted object, and
// the tid that deleted it.
func deletion(err error) (zodb.Tid, bool) {
	var nd *zodb.NoDataError
	if errors.As(err, &nd) && nd.DeletedAt != 0 {
		return nd.DeletedAt, true
	}
	return 0, false
}
