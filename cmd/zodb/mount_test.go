package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMountHelp(t *testing.T) {
	status, out, _ := runZodb(t, "mount", "--help")
	if status != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--allow-other") ||
		!strings.Contains(out, "--debug") {
		t.Errorf("zodb mount --help: status %d\n%s", status, out)
	}
	status, out, _ = runZodb(t, "help")
	if status != 0 || !strings.Contains(out, "mount ") {
		t.Errorf("zodb help does not list mount:\n%s", out)
	}
}

func TestMountBad(t *testing.T) {
	small := filepath.Join(testdata, "fs1/small/small.fs")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantFail(t, []string{"mount", small}, 2, "", "accepts 2 arg")
	wantFail(t, []string{"mount", small, file}, 1, "", "not a directory")
	wantFail(t, []string{"mount", small, file + "-missing"}, 1, "", "no such file or directory")
	wantFail(t, []string{"mount", file + "-missing.fs", t.TempDir()}, 1, "")
}

// startMount runs zodb mount in the background until it returns; it
// waits for the mount to serve head/at.
func startMount(t *testing.T, args ...string) (dir string, done chan int, stderr *string) {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("FUSE tests need /dev/fuse: %v", err)
	}
	dir = t.TempDir()
	done = make(chan int, 1)
	var errOut string
	go func() {
		status, _, e := runZodb(t, append(append([]string{"mount"}, args...), dir)...)
		errOut = e
		done <- status
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(dir + "/head/at"); err == nil {
			return dir, done, &errOut
		}
		select {
		case status := <-done:
			t.Fatalf("zodb mount exited with %d: %s", status, errOut)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("zodb mount does not serve head/at")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func wait(t *testing.T, done chan int) int {
	t.Helper()
	select {
	case status := <-done:
		return status
	case <-time.After(10 * time.Second):
		t.Fatal("zodb mount does not return")
	}
	return -1
}

// TestMountRun mounts small.fs, checks what a second mount on the same
// directory says, and unmounts it from outside: the command returns.
func TestMountRun(t *testing.T) {
	small := filepath.Join(testdata, "fs1/small/small.fs")
	dir, done, stderr := startMount(t, small)
	if b, err := os.ReadFile(dir + "/head/at"); err != nil || string(b) != "03f5946af81d3dee\n" {
		t.Errorf("head/at: %q %v", b, err)
	}
	wantFail(t, []string{"mount", small, dir}, 1, "", "already a mount point")
	if err := syscall.Unmount(dir, 0); err != nil {
		t.Fatal(err)
	}
	if status := wait(t, done); status != 0 {
		t.Errorf("zodb mount: status %d after an unmount: %s", status, *stderr)
	}
}

// TestMountInterrupt interrupts zodb mount: it unmounts and returns 0.
func TestMountInterrupt(t *testing.T) {
	dir, done, stderr := startMount(t, filepath.Join(testdata, "fs1/small/small.fs"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if status := wait(t, done); status != 0 {
		t.Errorf("zodb mount: status %d after SIGINT: %s", status, *stderr)
	}
	if _, err := os.Stat(dir + "/head"); err == nil {
		t.Error("still mounted after SIGINT")
	}
}
