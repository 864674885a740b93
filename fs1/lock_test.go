package fs1

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// childLock opens FS1_PATH for writing, says "locked" and holds the lock
// until its stdin closes.
func childLock() int {
	fs, err := OpenWith(ctx, os.Getenv("FS1_PATH"), &Options{Sync: SyncNone})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := fs.Close(); err != nil {
		return 1
	}
	return 0
}

// TestLockOtherProcess has a child process hold the storage open for
// writing: a second writer is refused with an error naming the lock file
// and the child's pid, readers are not; once the child is gone, writing
// works again.
func TestLockOtherProcess(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	c := startChild(t, "lock", "FS1_PATH="+p)
	line, err := c.out.ReadString('\n')
	if line != "locked\n" {
		c.cmd.Process.Kill()
		t.Fatalf("child said %q, %v", line, err)
	}
	_, err = Open(ctx, p, nil)
	wantLocked(t, err, p, c.cmd.Process.Pid)
	ro := openRO(t, p)
	ro.Close()
	if pid := strings.TrimSpace(string(mustRead(t, p+".lock"))); pid != fmt.Sprint(c.cmd.Process.Pid) {
		t.Errorf("lock file holds %q, want the child's pid %d", pid, c.cmd.Process.Pid)
	}
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	fs, _ := openRW(t, p)
	if got, want := string(mustRead(t, p+".lock")), fmt.Sprintf(" %d\n", os.Getpid()); got != want {
		t.Errorf("lock file holds %q, want %q as zc.lockfile writes it", got, want)
	}
	fs.Close()
}

// TestLockSameProcess opens a storage twice for writing in one process:
// the lock belongs to the open file, so the second open is refused too.
func TestLockSameProcess(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data.fs")
	fs, _ := openRW(t, p)
	_, err := Open(ctx, p, nil)
	wantLocked(t, err, p, os.Getpid())
	fs.Close()
	fs, _ = openRW(t, p)
	fs.Close()
	// The pack tool's offline lock excludes writers the same way.
	l, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, p, nil)
	wantLocked(t, err, p, os.Getpid())
	if err := l.Unlock(); err != nil || l.Unlock() != nil {
		t.Fatal(err)
	}
}

func wantLocked(t *testing.T, err error, path string, pid int) {
	t.Helper()
	want := fmt.Sprintf("fs1: %s.lock: locked by another process (pid %d)", path, pid)
	if !errors.Is(err, ErrLocked) || err.Error() != want {
		t.Errorf("second writer: %v, want %q", err, want)
	}
}
