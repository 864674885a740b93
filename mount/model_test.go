package mount

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/mount/objgraph"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// Node logic, tested without mounting: the vnodes of small.fs against what
// the storage says.

// TestObjectsEverySnapshot compares oid/ of every state of small.fs with
// the storage: the oids listed, and each object's data, class and serial.
func TestObjectsEverySnapshot(t *testing.T) {
	ctx := context.Background()
	stor := openStor(t, smallFS)
	f := newFS(t, stor, nil)
	txns := allTxns(t, stor)
	for _, txn := range txns {
		s := f.snap(txn.Tid)
		want := oidNames(oidsAt(txns, txn.Tid))
		if got := names(vlist(t, s, "oid")); !slices.Equal(got, want) {
			t.Errorf("@%s/oid: %q, want %q", txn.Tid, got, want)
		}
		for _, name := range want {
			oid, _ := zodb.ParseOid(name)
			data, serial, err := stor.Load(ctx, zodb.Xid{At: txn.Tid, Oid: oid})
			var nd *zodb.NoDataError
			if errors.As(err, &nd) {
				if got := vread(t, s, "oid", name, "serial"); got != nd.DeletedAt.String()+"\n" {
					t.Errorf("@%s/oid/%s/serial of a deleted object: %q", txn.Tid, name, got)
				}
				if got := names(vlist(t, s, "oid", name)); !slices.Equal(got, []string{"history", "serial"}) {
					t.Errorf("@%s/oid/%s of a deleted object: %q", txn.Tid, name, got)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			module, class, err := zpickle.ClassOf(data)
			if err != nil {
				t.Fatal(err)
			}
			checkFile(t, s, "oid/"+name+"/data", string(data))
			checkFile(t, s, "oid/"+name+"/class", module+"."+class+"\n")
			checkFile(t, s, "oid/"+name+"/serial", serial.String()+"\n")
		}
	}
}

func checkFile(t *testing.T, v vnode, path, want string) {
	t.Helper()
	if got := vread(t, v, strings.Split(path, "/")...); got != want {
		t.Errorf("%s: %q, want %q", path, got, want)
	}
}

// noLister hides a storage's ListOids and IterateBackward: oid/ and
// dates then take the ways every storage has.
type noLister struct{ zodb.Storage }

// TestOidListing compares oid/ listed from the index with oid/ listed by
// reading the transactions, and the check that drops objects created after
// an old snapshot.
func TestOidListing(t *testing.T) {
	stor := openStor(t, smallFS)
	f := newFS(t, stor, nil)
	g := newFS(t, noLister{stor}, nil)
	for _, txn := range allTxns(t, stor) {
		a := names(vlist(t, f.snap(txn.Tid), "oid"))
		b := names(vlist(t, g.snap(txn.Tid), "oid"))
		if !slices.Equal(a, b) {
			t.Errorf("@%s/oid: from the index %q, from the transactions %q", txn.Tid, a, b)
		}
	}
}

// TestOidListerStop stops a listing half-way: the pulling ends.
func TestOidListerStop(t *testing.T) {
	ctx := context.Background()
	f := newFS(t, openStor(t, smallFS), nil)
	l, err := (&oidDirV{s: f.snap(f.head.current(ctx))}).list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, ok, err := l.next(ctx); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	l.close()
	l.close()
}

func TestOidAliases(t *testing.T) {
	f := newFS(t, openStor(t, smallFS), nil)
	s := f.snap(f.head.current(context.Background()))
	for _, name := range []string{"3", "0x3", "0X03", "0000000000000003"[1:]} {
		l, ok := vlookup(t, s, "oid", name).(vlink)
		if !ok || l.target() != "0000000000000003" {
			t.Errorf("oid/%s: %#v, want a link to 0000000000000003", name, l)
		}
	}
	for _, name := range []string{"", "x", "0x", "+3", "-3", "00000000000000003", "00000000deadbeef"} {
		if _, err := (&oidDirV{s: s}).lookup(context.Background(), name); err != errNotFound {
			t.Errorf("oid/%q: %v, want not found", name, err)
		}
	}
}

// TestObjectFiles checks the files of the notable objects of small.fs.
func TestObjectFiles(t *testing.T) {
	ctx := context.Background()
	stor := openStor(t, smallFS)
	f := newFS(t, stor, nil)
	T := smallTids(t)
	head := f.snap(f.head.current(ctx))

	// hot, 10 revisions: history lists them oldest first with metadata
	hist := strings.Split(strings.TrimSuffix(vread(t, head, "oid", "0000000000000003", "history"), "\n"), "\n")
	revs, err := stor.History(ctx, 3, head.at, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(revs) || len(hist) != 10 {
		t.Fatalf("hot history: %d lines, %d revisions", len(hist), len(revs))
	}
	for i, line := range hist {
		r := revs[len(revs)-1-i]
		want := fmt.Sprintf("%s %q %q", r.Tid, r.User, r.Description)
		if !strings.HasPrefix(line, r.Tid.String()+" ") || len(r.Description) < 100 && line != want {
			t.Errorf("history line %d: %q, want %q", i, line, want)
		}
	}
	// history as of T12 stops at T12's revision
	if got := vread(t, f.snap(T["T12"]), "oid", "0000000000000003", "history"); strings.Count(got, "\n") != 6 {
		t.Errorf("hot history @T12: %q", got)
	}

	// deleted by T14, referenced still
	del := "000000000000001c"
	if got := names(vlist(t, head, "oid", del)); !slices.Equal(got, []string{"history", "serial"}) {
		t.Errorf("deleted object: %q", got)
	}
	checkFile(t, head, "oid/"+del+"/serial", T["T14"].String()+"\n")
	if h := vread(t, head, "oid", del, "history"); !strings.HasSuffix(h, " delete\n") {
		t.Errorf("deleted object's history: %q", h)
	}
	// before T14 it has data
	if got := names(vlist(t, f.snap(T["T13"]), "oid", del)); len(got) != 6 {
		t.Errorf("@T13/oid/%s: %q", del, got)
	}

	// a dangling reference: a link to an object that is not there
	refs := vlist(t, head, "oid", "0000000000000023", "refs")
	if !slices.Contains(names(refs), "00000000deadbeef") {
		t.Errorf("refs of the dangling reference's holder: %q", names(refs))
	}
	l := vlookup(t, head, "oid", "0000000000000023", "refs", "00000000deadbeef").(vlink)
	if l.target() != "../../00000000deadbeef" {
		t.Errorf("dangling ref link: %q", l.target())
	}
	// the root refers to objects, each listed once and found
	for _, e := range vlist(t, head, "oid", "0000000000000000", "refs") {
		if e.typ != typeLink {
			t.Errorf("refs/%s: type %o", e.name, e.typ)
		}
		vlookup(t, head, "oid", "0000000000000000", "refs", e.name)
	}
	// mtime of an object's files is its serial's time
	v := vlookup(t, head, "oid", "0000000000000003", "data")
	if mt, _ := v.mtime(ctx); !mt.Equal(head.at.Time()) {
		t.Errorf("mtime of hot's data: %v, want %v", mt, head.at.Time())
	}
	// the state is readable text
	if st := vread(t, head, "oid", "0000000000000003", "state"); !strings.Contains(st, "history") {
		t.Errorf("hot's state: %q", st)
	}
}

func TestTxnDir(t *testing.T) {
	ctx := context.Background()
	stor := openStor(t, smallFS)
	f := newFS(t, stor, nil)
	txns := allTxns(t, stor)
	root := &txnDirV{fsys: f}
	var want []string
	for _, txn := range txns {
		want = append(want, txn.Tid.String())
	}
	if got := names(vlist(t, root)); !slices.Equal(got, want) {
		t.Errorf("txn/: %q, want %q", got, want)
	}
	for _, txn := range txns {
		name := txn.Tid.String()
		checkFile(t, root, name+"/status", "committed\n")
		if got := vread(t, root, name, "user"); got != string(line(txn.User)) {
			t.Errorf("txn/%s/user: %q", name, got)
		}
		if got := vread(t, root, name, "description"); got != string(line(txn.Description)) {
			t.Errorf("txn/%s/description: %q", name, got)
		}
		if ext := vread(t, root, name, "extension"); !strings.HasPrefix(ext, "{") || !strings.HasSuffix(ext, "}\n") {
			t.Errorf("txn/%s/extension: %q", name, ext)
		}
		objs := vlist(t, root, name, "objects")
		if got := names(objs); !slices.Equal(got, oidNames(txn.oids)) {
			t.Errorf("txn/%s/objects: %q, want %q", name, got, oidNames(txn.oids))
		}
		for _, e := range objs {
			l := vlookup(t, root, name, "objects", e.name).(vlink)
			if want := "../../../@" + name + "/oid/" + e.name; l.target() != want {
				t.Errorf("txn/%s/objects/%s → %q, want %q", name, e.name, l.target(), want)
			}
		}
	}
	for _, name := range []string{"0000000000000000", "03F5946AF81D3DEE", "ffffffffffffffff", "x"} {
		if _, err := root.lookup(ctx, name); err != errNotFound {
			t.Errorf("txn/%s: %v, want not found", name, err)
		}
	}
	// T01 has an extension; T16 a py2-style one
	T := smallTids(t)
	for _, n := range []string{"T01", "T16"} {
		if ext := vread(t, root, T[n].String(), "extension"); ext == "{}\n" {
			t.Errorf("%s extension: %q", n, ext)
		}
	}
}

func TestExtensionText(t *testing.T) {
	for _, tc := range []struct{ ext, want string }{
		{"", "{}\n"},
		{"}q\x00.", "{}\n"},
		{"\x80\x03}q\x00X\x01\x00\x00\x00aq\x01K\x01s.", "{'a': 1}\n"},
		{"junk", "# not a pickle: \"junk\"\n"},
	} {
		if got := string(extensionText([]byte(tc.ext))); got != tc.want {
			t.Errorf("extensionText(%q) = %q, want %q", tc.ext, got, tc.want)
		}
	}
}

// TestResolveSnap reads root names: tids, prefixes, dates.
func TestResolveSnap(t *testing.T) {
	ctx := context.Background()
	stor := openStor(t, smallFS)
	T := smallTids(t)
	for _, f := range []*FS{newFS(t, stor, nil), newFS(t, noLister{stor}, nil)} {
		for _, tc := range []struct {
			name      string
			tid       zodb.Tid
			canonical bool
		}{
			{"@" + T["T09"].String(), T["T09"], true},
			{"@" + (T["T09"] + 1).String(), T["T09"], false},
			{"@" + (T["T10"] - 1).String(), T["T09"], false},
			{"@" + T["T19"].String()[:12], T["T19"], false},
			{"@" + T["T00"].String()[:10], T["T00"], false},
			{"@" + T["T19"].Time().Add(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"), T["T19"], false},
			{"@" + strings.ToUpper(T["T19"].String()), T["T19"], false},
			{"@" + T["T12"].Time().Add(1e6).UTC().Format("2006-01-02 15:04:05.000000"), T["T12"], false},
			{"@yesterday", T["T19"], false},
		} {
			tid, canonical, err := f.resolveSnap(ctx, tc.name)
			if err != nil || tid != tc.tid || canonical != tc.canonical {
				t.Errorf("%s: %s %v %v, want %s %v", tc.name, tid, canonical, err, tc.tid, tc.canonical)
			}
		}
		for _, name := range []string{"@", "head", "@03f5946", "@0000000000000001", "@ffffffffffffffff",
			"@1999-01-01", "@tomorrow", "@nonsense", "@" + T["T09"].String() + "0"} {
			if _, _, err := f.resolveSnap(ctx, name); err != errNotFound {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
	}
}

func TestSnapshotDir(t *testing.T) {
	f := newFS(t, openStor(t, smallFS), nil)
	T := smallTids(t)
	s := f.snap(T["T05"])
	checkFile(t, s, "at", T["T05"].String()+"\n")
	if got := names(vlist(t, s)); !slices.Equal(got, []string{"at", "oid", "root"}) {
		t.Errorf("@T05/: %q", got)
	}
	// the empty database has no root
	e := newFS(t, openStor(t, testdata+"/fs1/empty/empty.fs"), nil)
	if got := names(vlist(t, e.snap(0))); !slices.Equal(got, []string{"at", "oid"}) {
		t.Errorf("empty.fs head: %q", got)
	}
}

func TestChildIno(t *testing.T) {
	seen := map[uint64]string{}
	for _, parent := range []uint64{rootIno, 2, 3, childIno(rootIno, "head", typeDir)} {
		for _, name := range []string{"", "a", "b", "ab", "ba", "0000000000000000", "0000000000000001"} {
			for _, typ := range []uint32{typeDir, typeFile, typeLink} {
				ino := childIno(parent, name, typ)
				key := fmt.Sprint(parent, name, typ)
				if ino <= rootIno {
					t.Errorf("%s: ino %d", key, ino)
				}
				if other, ok := seen[ino]; ok {
					t.Errorf("%s and %s: same ino %d", key, other, ino)
				}
				seen[ino] = key
				if childIno(parent, name, typ) != ino {
					t.Errorf("%s: ino not stable", key)
				}
			}
		}
	}
}

func TestClampRead(t *testing.T) {
	data := []byte("0123456789")
	for _, tc := range []struct {
		n    int
		off  int64
		want string
	}{{4, 0, "0123"}, {4, 8, "89"}, {4, 10, ""}, {4, 11, ""}, {4, -1, ""}, {20, 0, "0123456789"}} {
		if got := string(clampRead(data, make([]byte, tc.n), tc.off)); got != tc.want {
			t.Errorf("read %d at %d: %q, want %q", tc.n, tc.off, got, tc.want)
		}
	}
}

func TestCache(t *testing.T) {
	c := newCache(1000)
	for i := range 20 {
		c.put(i, i, 100)
	}
	if _, ok := c.get(0); ok {
		t.Error("oldest entry kept past the budget")
	}
	if v, ok := c.get(19); !ok || v != 19 {
		t.Error("newest entry dropped")
	}
	c.put("big", 0, 2000)
	if _, ok := c.get("big"); ok {
		t.Error("entry over the budget kept")
	}
	if c.used > c.budget {
		t.Errorf("used %d over budget %d", c.used, c.budget)
	}
}

func TestToErrno(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want syscall.Errno
	}{
		{nil, 0},
		{errNotFound, syscall.ENOENT},
		{&zodb.OpError{Op: "load", Err: &zodb.NoObjectError{Oid: 1}}, syscall.ENOENT},
		{context.Canceled, syscall.EINTR},
		{fmt.Errorf("x: %w", zodb.ErrCorrupt), syscall.EIO},
		{errors.New("other"), syscall.EIO},
		{fmt.Errorf("objgraph: %w", objgraph.ErrNotDir), syscall.ENOTDIR},
		{fmt.Errorf("bucket: %w: %w", objgraph.ErrBroken, &zodb.NoObjectError{Oid: 7}), syscall.EIO},
		{fmt.Errorf("objgraph: %w", objgraph.ErrMissing), syscall.ENOENT},
	} {
		if got := toErrno(nil, "test", tc.err); got != tc.want {
			t.Errorf("toErrno(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestRootGraph checks root/ of small.fs: objgraph's entries, a cycle
// made a link up, a deleted object an empty directory.
func TestRootGraph(t *testing.T) {
	ctx := context.Background()
	f := newFS(t, openStor(t, smallFS), nil)
	head := f.snap(f.head.current(ctx))
	want := []string{"graph", "graph_d", "hot", "iobtree", "meta", "oobtree", "plist", "rawvalue", "values"}
	if got := names(vlist(t, head, "root")); !slices.Equal(got, want) {
		t.Errorf("root/: %q, want %q", got, want)
	}
	// A->B->C->A
	cycle := []string{"root", "graph", "refs", "0", "refs", "0", "refs", "0"}
	l, ok := vlookup(t, head, cycle...).(vlink)
	if !ok || l.target() != "../../../../.." {
		t.Fatalf("%s: %#v, want a link to root/graph", strings.Join(cycle, "/"), l)
	}
	for _, e := range vlist(t, head, cycle[:len(cycle)-1]...) {
		if e.name == "0" && e.typ != typeLink {
			t.Errorf("listed %s as type %o", strings.Join(cycle, "/"), e.typ)
		}
	}
	if got := vlist(t, head, "root", "graph_d"); len(got) != 0 {
		t.Errorf("root/graph_d, deleted: %q", names(got))
	}
	checkFile(t, head, "root/hot/n", "10\n")
	checkFile(t, head, "root/values/cplx", "(1-2j)\n")
	if got := len(vlist(t, head, "root", "oobtree")); got != 301 {
		t.Errorf("root/oobtree: %d entries", got)
	}
	// hot as of T12 had 6 revisions
	T := smallTids(t)
	checkFile(t, f.snap(T["T12"]), "root/hot/n", "6\n")
	if mt, _ := vlookup(t, head, "root", "hot", "n").mtime(ctx); !mt.Equal(head.at.Time()) {
		t.Errorf("mtime of root/hot/n: %v", mt)
	}
	for _, name := range []string{"nothing", "%2F", ""} {
		if _, err := vlookup(t, head, "root").(vdir).lookup(ctx, name); err != errNotFound {
			t.Errorf("root/%q: %v", name, err)
		}
	}
}

// TestHeadSrc resolves a path under head/ before and after a commit.
func TestHeadSrc(t *testing.T) {
	ctx := context.Background()
	path := copySmall(t)
	stor := openStor(t, path)
	f := newFS(t, stor, &Options{SyncEvery: time.Nanosecond})
	src := newHeadSrc(f)
	hot := src.child("oid", nil).(*headSrc).child("0000000000000003", nil).(*headSrc).child("serial", nil)
	read := func() string {
		v, err := hot.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := v.(vfile).content(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(); got != stor.Head().String()+"\n" {
		t.Errorf("head/oid/3/serial: %q", got)
	}
	tid := commitHot(t, path)
	if got := read(); got != tid.String()+"\n" {
		t.Errorf("head/oid/3/serial after a commit: %q, want %s", got, tid)
	}
	if at := f.head.current(ctx); at != tid {
		t.Errorf("head at %s, want %s", at, tid)
	}
	gone := src.child("oid", nil).(*headSrc).child("00000000deadbeef", nil)
	if _, err := gone.get(ctx); err != errNotFound {
		t.Errorf("head/oid/00000000deadbeef: %v", err)
	}
}

// millionOids is a storage of a million objects that lists them without
// holding them, and counts how many it gave.
type millionOids struct {
	zodb.Storage
	given int
}

func (m *millionOids) ListOids(ctx context.Context, fn func(zodb.Oid) bool) error {
	for oid := zodb.Oid(1); oid <= 1_000_000; oid++ {
		m.given++
		if !fn(oid) {
			return nil
		}
	}
	return nil
}

// TestOidListingStreams lists oid/ of a million objects: entries come as
// they are asked for, and the listing goes to the end.
func TestOidListingStreams(t *testing.T) {
	ctx := context.Background()
	stor := &millionOids{Storage: openStor(t, testdata+"/fs1/empty/empty.fs")}
	f := newFS(t, stor, nil)
	l, err := (&oidDirV{s: f.snap(stor.Head())}).list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	for i := 1; i <= 10; i++ {
		e, ok, err := l.next(ctx)
		if !ok || err != nil || e.name != zodb.Oid(i).String() {
			t.Fatalf("entry %d: %v %v %v", i, e, ok, err)
		}
	}
	if stor.given > 11 {
		t.Errorf("10 entries read, %d oids pulled from the storage", stor.given)
	}
	n := 10
	for {
		_, ok, err := l.next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		n++
	}
	if n != 1_000_000 {
		t.Errorf("%d entries", n)
	}
}

func TestNoFUSE(t *testing.T) {
	defer func(saved string) { devFuse = saved }(devFuse)
	devFuse = "/nonexistent/fuse"
	f := newFS(t, openStor(t, smallFS), nil)
	_, err := Mount(f, t.TempDir(), nil)
	if !errors.Is(err, ErrNoFUSE) || !strings.Contains(err.Error(), "/nonexistent/fuse") {
		t.Errorf("mount without FUSE: %v", err)
	}
}
