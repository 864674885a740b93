package mount

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// Real mounts: each test mounts in this process on a fresh directory and
// unmounts at its end. Without /dev/fuse they are skipped; with it, a
// mount that fails is a failure.

// mountFS mounts f on a fresh directory, unmounted when the test ends, and
// returns the directory.
func mountFS(t testing.TB, f *FS) string {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("FUSE tests need /dev/fuse: %v", err)
	}
	dir := t.TempDir()
	srv, err := Mount(f, dir, &Options{Debug: os.Getenv("ZODB_MOUNT_DEBUG") != ""})
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
			srv.Detach()
		}
		srv.Wait()
	})
	return dir
}

// mountFile mounts the FileStorage at path and returns the mount point
// and the storage.
func mountFile(t testing.TB, path string, opt *Options) (string, *fs1.FileStorage, *FS) {
	t.Helper()
	stor := openStor(t, path)
	f := newFS(t, stor, opt)
	return mountFS(t, f), stor, f
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testDatabases returns every FileStorage of testdata.
func testDatabases(t testing.TB) []string {
	var paths []string
	err := filepath.WalkDir(testdata, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".fs") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil || len(paths) < 10 {
		t.Fatalf("testdata databases: %d, %v", len(paths), err)
	}
	return paths
}

// TestMountEveryDatabase mounts every testdata database, looks every
// transaction's snapshot up, walks the whole mount with find and with Go,
// and compares each object file of each snapshot with the storage and
// zodb catobj.
func TestMountEveryDatabase(t *testing.T) {
	for _, path := range testDatabases(t) {
		name, _ := filepath.Rel(testdata, path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, stor, _ := mountFile(t, path, nil)
			txns := allTxns(t, stor)
			if got := readFile(t, dir+"/head/at"); len(txns) > 0 && got != txns[len(txns)-1].Tid.String()+"\n" {
				t.Errorf("head/at: %q, want the last committed transaction %s", got, txns[len(txns)-1].Tid)
			}
			// walk head/, txn/ and the first state
			if len(txns) > 0 {
				if _, err := os.Stat(fmt.Sprintf("%s/@%s", dir, txns[0].Tid)); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := exec.Command("find", dir).CombinedOutput(); err != nil {
				t.Errorf("find: %v\n%s", err, out)
			}
			walkMount(t, dir)
			for _, txn := range txns {
				checkObjects(t, stor, dir, txn.Tid, oidsAt(txns, txn.Tid))
			}
		})
	}
}

// checkObjects compares @<at>/oid/ with the storage.
func checkObjects(t *testing.T, stor zodb.Storage, dir string, at zodb.Tid, oids []zodb.Oid) {
	t.Helper()
	ctx := context.Background()
	snap := fmt.Sprintf("%s/@%s", dir, at)
	entries, err := os.ReadDir(snap + "/oid")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range entries {
		listed = append(listed, e.Name())
	}
	if want := oidNames(oids); !slices.Equal(listed, want) {
		t.Errorf("@%s/oid: %q, want %q", at, listed, want)
	}
	for _, oid := range oids {
		obj := fmt.Sprintf("%s/oid/%s/", snap, oid)
		xid := zodb.Xid{At: at, Oid: oid}
		data, serial, err := stor.Load(ctx, xid)
		var nd *zodb.NoDataError
		if errors.As(err, &nd) {
			if got := readFile(t, obj+"serial"); got != nd.DeletedAt.String()+"\n" {
				t.Errorf("%s: serial of a deletion %q", xid, got)
			}
			if _, err := os.Stat(obj + "data"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: data of a deleted object: %v", xid, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		gotData := readFile(t, obj+"data")
		if gotData != string(data) {
			t.Errorf("%s: data differs from Load's", xid)
		}
		module, class, err := zpickle.ClassOf(data)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := readFile(t, obj+"class"), strings.TrimSuffix(module+"."+class, ".")+"\n"; got != want {
			t.Errorf("%s: class %q, want %q", xid, got, want)
		}
		if got := readFile(t, obj+"serial"); got != serial.String()+"\n" {
			t.Errorf("%s: serial %q, want %s", xid, got, serial)
		}
		var catobj bytes.Buffer
		if err := tools.Catobj(ctx, &catobj, stor, xid, nil); err != nil {
			t.Fatal(err)
		}
		entry := fmt.Sprintf("obj %s %d sha1:%x\n%s\n", oid, len(gotData), sha1.Sum([]byte(gotData)), gotData)
		if entry != catobj.String() {
			t.Errorf("%s: the files do not give catobj's output", xid)
		}
		st, err := os.Stat(obj + "data")
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(serial.Time()) {
			t.Errorf("%s: mtime %v, want the serial's %v", xid, st.ModTime(), serial.Time())
		}
	}
}

// walkMount reads every file and link of the mount: a file's size is what
// stat says, and a symbolic link from a transaction to an object it wrote
// leads somewhere.
func walkMount(t *testing.T, dir string) {
	t.Helper()
	inos := map[uint64]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		ino := st.Sys().(*syscallStat).Ino
		if other, ok := inos[ino]; ok {
			t.Errorf("%s and %s: same inode %d", p, other, ino)
		}
		inos[ino] = p
		switch {
		case st.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if int64(len(b)) != st.Size() {
				t.Errorf("%s: size %d, read %d bytes", p, st.Size(), len(b))
			}
		case st.Mode()&fs.ModeSymlink != 0:
			if _, err := os.Readlink(p); err != nil {
				return err
			}
			if strings.Contains(p, "/txn/") {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// TestMountDiff diffs the snapshots before and after T10 of small.fs: the
// objects that differ are those T10 wrote.
func TestMountDiff(t *testing.T) {
	dir, stor, _ := mountFile(t, smallFS, nil)
	T := smallTids(t)
	var want []string
	for _, txn := range allTxns(t, stor) {
		if txn.Tid == T["T10"] {
			want = oidNames(txn.oids)
		}
	}
	a, b := fmt.Sprintf("%s/@%s", dir, T["T09"]), fmt.Sprintf("%s/@%s", dir, T["T10"])
	out, err := exec.Command("diff", "-r", "--no-dereference", a+"/oid", b+"/oid").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("diff: %v\n%s", err, out)
	}
	changed := map[string]bool{}
	oidRe := regexp.MustCompile(`/oid/([0-9a-f]{16})`)
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "diff ") || strings.HasPrefix(line, "Only in ") ||
			strings.HasPrefix(line, "Binary files ") {
			for _, m := range oidRe.FindAllStringSubmatch(line, -1) {
				changed[m[1]] = true
			}
		}
	}
	var got []string
	for oid := range changed {
		got = append(got, oid)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("diff @T09 @T10 shows %q, want what T10 wrote: %q\n%s", got, want, out)
	}
	// a snapshot does not differ from itself under another name
	c := fmt.Sprintf("%s/@%s", dir, T["T09"].String()[:14])
	if out, err := exec.Command("diff", "-r", "--no-dereference", a+"/oid", c+"/oid").CombinedOutput(); err != nil {
		t.Errorf("diff @T09 @<T09 prefix>: %v\n%s", err, out)
	}
}

// TestMountRoot checks the root's entries: head, txn, the snapshots looked
// up, and the aliases.
func TestMountRoot(t *testing.T) {
	dir, _, _ := mountFile(t, smallFS, nil)
	T := smallTids(t)
	entries := func() []string {
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, e := range es {
			s = append(s, e.Name())
		}
		return s
	}
	if got := entries(); !slices.Equal(got, []string{"head", "txn"}) {
		t.Errorf("root: %q", got)
	}
	t9 := "@" + T["T09"].String()
	if got := readFile(t, dir+"/"+t9+"/at"); got != T["T09"].String()+"\n" {
		t.Errorf("%s/at: %q", t9, got)
	}
	if got := entries(); !slices.Equal(got, []string{t9, "head", "txn"}) {
		t.Errorf("root after a lookup: %q", got)
	}
	for _, alias := range []string{"@" + T["T09"].String()[:12], "@" + (T["T10"] - 1).String()} {
		target, err := os.Readlink(dir + "/" + alias)
		if err != nil || target != t9 {
			t.Errorf("%s → %q %v, want %s", alias, target, err, t9)
		}
		if got := readFile(t, dir+"/"+alias+"/at"); got != T["T09"].String()+"\n" {
			t.Errorf("%s/at: %q", alias, got)
		}
	}
	for _, name := range []string{"@03f5946", "@nonsense", "@ffffffffffffffff", "nothing"} {
		if _, err := os.Lstat(dir + "/" + name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	// rewinddir: a listing read again from the start after a seek
	d, err := os.Open(dir + "/head/oid")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	first, err := d.Readdirnames(5)
	if err != nil || len(first) != 5 {
		t.Fatal(first, err)
	}
	if _, err := d.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	all, err := d.Readdirnames(-1)
	if err != nil || len(all) != 36 || !slices.Equal(all[:5], first) {
		t.Errorf("oid/ after rewinding: %d entries %q, %v", len(all), all[:min(5, len(all))], err)
	}
	// inode numbers follow from paths
	st, err := os.Stat(dir + "/head/at")
	if err != nil {
		t.Fatal(err)
	}
	if ino := st.Sys().(*syscallStat).Ino; ino != childIno(childIno(rootIno, "head", typeDir), "at", typeFile) {
		t.Errorf("head/at: inode %d", ino)
	}
	// read-only
	if err := os.WriteFile(dir+"/head/at", nil, 0o644); err == nil {
		t.Error("head/at written")
	}
	if err := os.Mkdir(dir+"/head/x", 0o755); err == nil {
		t.Error("mkdir in head/")
	}
}

// TestMountHeadFollows commits to a copy of small.fs while it is mounted:
// head/ moves to the new transaction, a file opened before keeps its
// state, and the old snapshot stays as it was.
func TestMountHeadFollows(t *testing.T) {
	path := copySmall(t)
	dir, stor, _ := mountFile(t, path, &Options{SyncEvery: 50 * time.Millisecond})
	old := stor.Head()
	hot := dir + "/head/oid/0000000000000003/"
	before := readFile(t, hot+"serial")
	opened, err := os.Open(hot + "history")
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()
	oldSize := readFile(t, hot+"history")

	tid := commitHot(t, path)

	deadline := time.Now().Add(10 * time.Second)
	for readFile(t, dir+"/head/at") != tid.String()+"\n" {
		if time.Now().After(deadline) {
			t.Fatalf("head/at still %q, want %s", readFile(t, dir+"/head/at"), tid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := readFile(t, hot+"serial"); got != tid.String()+"\n" || got == before {
		t.Errorf("head's hot serial: %q, want %s", got, tid)
	}
	if h := readFile(t, hot+"history"); !strings.HasSuffix(h, tid.String()+" \"test\" \"while mounted\"\n") {
		t.Errorf("head's hot history ends with %q", h[max(0, len(h)-80):])
	}
	var kept bytes.Buffer
	if _, err := kept.ReadFrom(opened); err != nil {
		t.Fatal(err)
	}
	if kept.String() != oldSize {
		t.Errorf("a file opened before the commit changed under its reader")
	}
	if got := readFile(t, fmt.Sprintf("%s/@%s/oid/0000000000000003/serial", dir, old)); got != before {
		t.Errorf("old snapshot's serial: %q, want %q", got, before)
	}
	if got := readFile(t, fmt.Sprintf("%s/txn/%s/description", dir, tid)); got != "while mounted\n" {
		t.Errorf("txn/%s/description: %q", tid, got)
	}
}

// TestMountTorn mounts the torn copies of small.fs: each serves its
// committed transactions and nothing of the torn one.
func TestMountTorn(t *testing.T) {
	for _, name := range []string{"truncated.fs", "truncated-hdr.fs", "checkpoint.fs"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(testdata, "fs1/truncated", name)
			dir, stor, _ := mountFile(t, path, nil)
			txns := allTxns(t, stor)
			last := txns[len(txns)-1].Tid
			if got := readFile(t, dir+"/head/at"); got != last.String()+"\n" {
				t.Errorf("head/at: %q, want %s", got, last)
			}
			es, err := os.ReadDir(dir + "/txn")
			if err != nil || len(es) != len(txns) {
				t.Errorf("txn/: %d entries, %v; want %d", len(es), err, len(txns))
			}
			// the torn transaction's tid names the state at it: the last
			// committed one's
			if tail := stor.Tail(); tail != nil && tail.Tid > last {
				p := fmt.Sprintf("%s/@%s", dir, tail.Tid)
				if target, err := os.Readlink(p); err != nil || target != "@"+last.String() {
					t.Errorf("@%s of the torn transaction: %q %v, want a link to @%s", tail.Tid, target, err, last)
				}
			}
		})
	}
}

func TestMountErrors(t *testing.T) {
	dir, _, f := mountFile(t, smallFS, nil)
	if _, err := Mount(f, dir, nil); !errors.Is(err, ErrMounted) {
		t.Errorf("mount on a mount point: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := Mount(f, file, nil); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("mount on a file: %v", err)
	}
	if _, err := Mount(f, file+"-missing", nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("mount on nothing: %v", err)
	}
}
