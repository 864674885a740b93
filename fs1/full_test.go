package fs1

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// A full or failing disk fails the transaction and leaves the file as it
// was, as Python's tpc_vote does when its write fails.

// tryCommitOne is commitOne returning the error instead of failing.
func tryCommitOne(fs *FileStorage, oid zodb.Oid, data []byte) (zodb.Tid, error) {
	_, serial, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
	if err != nil && !zodb.IsNoData(err) {
		return 0, err
	}
	txn, err := fs.Begin(ctx, zodb.TxnMeta{})
	if err != nil {
		return 0, err
	}
	defer txn.Abort()
	if err := txn.Store(ctx, oid, serial, data); err != nil {
		return 0, err
	}
	if err := txn.Vote(ctx); err != nil {
		return 0, err
	}
	return txn.Finish(ctx)
}

// wantUnchanged checks that a failed commit left the file and the storage
// as they were.
func wantUnchanged(t *testing.T, fs *FileStorage, before []byte, head zodb.Tid) {
	t.Helper()
	if got := mustRead(t, fs.file.Path()); !bytes.Equal(got, before) {
		t.Errorf("file of %d bytes after the failed commit, want the %d before it", len(got), len(before))
	}
	if fs.Head() != head || fs.Size() != int64(len(before)) {
		t.Errorf("head %s size %d, want %s %d", fs.Head(), fs.Size(), head, len(before))
	}
}

// TestWriteFaults makes the writes and syncs of a commit fail.
func TestWriteFaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	fs, _ := openRW(t, p)
	defer fs.Close()
	w := fs.w
	head := commitOne(t, fs, 0, []byte("root"))
	before := mustRead(t, p)
	enospc := func(f *os.File, b []byte, pos int64) error {
		n := len(b) / 2 // a full disk takes part of the write
		f.WriteAt(b[:n], pos)
		return &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	statusOnly := func(f *os.File, b []byte, pos int64) error {
		if len(b) == 1 {
			return syscall.EIO
		}
		_, err := f.WriteAt(b, pos)
		return err
	}
	cases := []struct {
		name  string
		sync  SyncMode
		write func(*os.File, []byte, int64) error
		sync2 func() error
		want  error
	}{
		{"vote write", SyncFinish, enospc, nil, syscall.ENOSPC},
		{"vote sync", SyncVote, nil, func() error { return syscall.EIO }, syscall.EIO},
		{"status write", SyncFinish, statusOnly, nil, syscall.EIO},
	}
	for _, c := range cases {
		w.sync, w.writeFault, w.syncFault = c.sync, c.write, c.sync2
		_, err := tryCommitOne(fs, 0, bytes.Repeat([]byte("x"), 1000))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		wantUnchanged(t, fs, before, head)
		w.sync, w.writeFault, w.syncFault = SyncFinish, nil, nil
		wantLoad(t, fs, 0, []byte("root"), head)
	}
	// The storage goes on.
	head = commitOne(t, fs, 0, []byte("root 2"))
	wantLoad(t, fs, 0, []byte("root 2"), head)
}

// TestSyncFault makes the sync of Finish fail: as Python closes the
// storage then, it takes no more commits; reads go on.
func TestSyncFault(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	fs, _ := openRW(t, p)
	defer fs.Close()
	fs.w.sync = SyncFinish
	head := commitOne(t, fs, 0, []byte("root"))
	fs.w.syncFault = func() error { return syscall.EIO }
	if _, err := tryCommitOne(fs, 0, []byte("lost?")); !errors.Is(err, syscall.EIO) {
		t.Fatalf("commit with a failing sync: %v", err)
	}
	if fs.Head() != head {
		t.Errorf("head %s, want %s", fs.Head(), head)
	}
	wantLoad(t, fs, 0, []byte("root"), head)
	if _, err := fs.Begin(ctx, zodb.TxnMeta{}); err == nil {
		t.Error("a broken storage began a transaction")
	}
}

func wantLoad(t *testing.T, fs *FileStorage, oid zodb.Oid, data []byte, serial zodb.Tid) {
	t.Helper()
	got, s, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
	if err != nil || !bytes.Equal(got, data) || s != serial {
		t.Errorf("load %s: %q %s %v, want %q %s", oid, got, s, err, data, serial)
	}
}

// TestFullDisk commits to a FileStorage on a small tmpfs until the disk is
// full for real. It needs to mount (root); it is skipped otherwise.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 64<<10), 0o666); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "data.fs")
	fs, _ := openRW(t, p)
	fs.w.sync = SyncFinish
	data := bytes.Repeat([]byte("0123456789abcdef"), 512) // 8 KiB
	var head zodb.Tid
	var err error
	n := 0
	for ; n < 100; n++ {
		before := mustRead(t, p)
		var tid zodb.Tid
		if tid, err = tryCommitOne(fs, zodb.Oid(n), data); err != nil {
			wantUnchanged(t, fs, before, head)
			break
		}
		head = tid
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("after %d commits: %v, want ENOSPC", n, err)
	}
	// Once there is room again, commits go on.
	os.Remove(filler)
	if head, err = tryCommitOne(fs, zodb.Oid(n), data); err != nil {
		t.Fatal(err)
	}
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}
	fs, _ = openRW(t, p)
	defer fs.Close()
	if fs.Head() != head || fs.Tail() != nil {
		t.Errorf("reopened: head %s tail %v, want %s", fs.Head(), fs.Tail(), head)
	}
	for oid := range zodb.Oid(n + 1) {
		if got, _, err := fs.Load(ctx, zodb.Xid{At: head, Oid: oid}); err != nil || !bytes.Equal(got, data) {
			t.Errorf("load %s: %v", oid, err)
		}
	}
	t.Logf("disk full after %d commits of 8 KiB", n)
}
