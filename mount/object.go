package mount

import (
	"bytes"
	"context"
	"math"
	"slices"
	"time"

	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// objDirV is oid/<oid>/: one object as of a snapshot.
//
//	data      the record, exactly as Load returns it
//	class     module.Class of the record, and a newline
//	state     the state, decoded and readable
//	serial    the tid of the revision, and a newline
//	history   the object's revisions up to the snapshot, oldest first
//	refs/     a symbolic link ../../<oid> for each object the record refers to
//
// A deleted object has only serial (the tid that deleted it) and history.
// Every file's mtime is the time of the serial.
type objDirV struct {
	s   *snapshot
	rev *objRev
}

var _ vdir = (*objDirV)(nil)

func (d *objDirV) typ() uint32 { return typeDir }

func (d *objDirV) mtime(context.Context) (time.Time, error) { return d.rev.serial.Time(), nil }

func (d *objDirV) names() []dirent {
	if d.rev.deleted {
		return []dirent{{"history", typeFile}, {"serial", typeFile}}
	}
	return []dirent{{"class", typeFile}, {"data", typeFile}, {"history", typeFile},
		{"refs", typeDir}, {"serial", typeFile}, {"state", typeFile}}
}

func (d *objDirV) list(context.Context) (lister, error) { return listOf(d.names()...), nil }

func (d *objDirV) lookup(ctx context.Context, name string) (vnode, error) {
	i := slices.IndexFunc(d.names(), func(e dirent) bool { return e.name == name })
	if i < 0 {
		return nil, errNotFound
	}
	t := d.rev.serial.Time()
	switch name {
	case "data":
		return bytesV(t, d.rev.data), nil
	case "serial":
		return bytesV(t, []byte(d.rev.serial.String()+"\n")), nil
	case "refs":
		return &refsDirV{obj: d}, nil
	}
	return &textV{time: t, render: func(ctx context.Context) ([]byte, error) {
		return d.s.rendered(ctx, d.rev.oid, name, d.render)
	}}, nil
}

// render renders the file name of the object.
func (d *objDirV) render(ctx context.Context, name string) ([]byte, error) {
	switch name {
	case "class":
		return classText(d.rev.data)
	case "state":
		return d.s.stateText(ctx, d.rev)
	case "history":
		return historyText(ctx, d.s.fsys.stor, d.rev.oid, d.s.at)
	}
	return nil, errNotFound
}

// renderKey names a rendered file in the cache.
type renderKey struct {
	at   zodb.Tid
	oid  zodb.Oid
	name string
}

// rendered returns file name of oid as render makes it, cached.
func (s *snapshot) rendered(ctx context.Context, oid zodb.Oid, name string,
	render func(context.Context, string) ([]byte, error)) ([]byte, error) {
	key := renderKey{s.at, oid, name}
	if v, ok := s.fsys.cache.get(key); ok {
		return v.([]byte), nil
	}
	b, err := render(ctx, name)
	if err != nil {
		return nil, err
	}
	s.fsys.cache.put(key, b, int64(len(b)))
	return b, nil
}

// classText is the class file: "module.Name\n", as zpickle.ClassOf
// (ZODB's get_pickle_metadata) names it.
func classText(data []byte) ([]byte, error) {
	module, name, err := zpickle.ClassOf(data)
	if err != nil {
		return nil, err
	}
	s := module
	if name != "" {
		s += "." + name
	}
	return []byte(s + "\n"), nil
}

// historyText is the history file: a line for each revision of oid up to
// at, oldest first — its tid, then the transaction's user and description
// quoted as zodb dump quotes them, then "delete" for a deletion.
func historyText(ctx context.Context, stor zodb.Storage, oid zodb.Oid, at zodb.Tid) ([]byte, error) {
	revs, err := stor.History(ctx, oid, at, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for i := len(revs) - 1; i >= 0; i-- {
		r := &revs[i]
		b.WriteString(r.Tid.String())
		b.WriteByte(' ')
		b.Write(tools.AppendQuote(nil, r.User))
		b.WriteByte(' ')
		b.Write(tools.AppendQuote(nil, r.Description))
		if r.Size == 0 {
			b.WriteString(" delete")
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// refsDirV is oid/<oid>/refs/: a symbolic link named by oid to ../../<oid>
// for every object of the same database the record refers to, weak
// references included. A link to an object that does not exist at the
// snapshot dangles, as the reference does.
type refsDirV struct {
	obj *objDirV
}

var _ vdir = (*refsDirV)(nil)

func (d *refsDirV) typ() uint32 { return typeDir }

func (d *refsDirV) mtime(ctx context.Context) (time.Time, error) { return d.obj.mtime(ctx) }

// oids returns the oids referred to, sorted, each once.
func (d *refsDirV) oids() ([]zodb.Oid, error) {
	refs, err := zpickle.References(d.obj.rev.data)
	if err != nil {
		return nil, err
	}
	oids := make([]zodb.Oid, 0, len(refs))
	for _, r := range refs {
		if r.Database == "" {
			oids = append(oids, r.Oid)
		}
	}
	slices.Sort(oids)
	return slices.Compact(oids), nil
}

func (d *refsDirV) list(context.Context) (lister, error) {
	oids, err := d.oids()
	if err != nil {
		return nil, err
	}
	l := listOf()
	for _, oid := range oids {
		l.entries = append(l.entries, dirent{oid.String(), typeLink})
	}
	return l, nil
}

func (d *refsDirV) lookup(_ context.Context, name string) (vnode, error) {
	oid, err := zodb.ParseOid(name)
	if err != nil || oid.String() != name {
		return nil, errNotFound
	}
	oids, err := d.oids()
	if err != nil {
		return nil, err
	}
	if _, ok := slices.BinarySearch(oids, oid); !ok {
		return nil, errNotFound
	}
	return &linkV{to: "../../" + name, time: d.obj.rev.serial.Time()}, nil
}
