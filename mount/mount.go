package mount

import (
	"bufio"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// ErrNoFUSE says that FUSE cannot be used here: no /dev/fuse, or no
// fusermount to mount with for a user other than root.
var ErrNoFUSE = errors.New("FUSE is not available")

// ErrMounted says that the directory is already a mount point.
var ErrMounted = errors.New("already a mount point")

// Server is a mounted FS.
type Server struct {
	srv *fuse.Server
	dir string
}

// Mount mounts f read-only on dir and serves it until Unmount, or until
// someone unmounts dir (fusermount3 -u).
//
// Errors: dir is missing or not a directory; dir is a mount point already
// (ErrMounted), or a FUSE mount whose server died; FUSE is not available
// (ErrNoFUSE); the mount itself failed.
func Mount(f *FS, dir string, opt *Options) (*Server, error) {
	if opt == nil {
		opt = &Options{}
	}
	abs, err := checkMountPoint(dir)
	if err != nil {
		return nil, err
	}
	direct, err := checkFUSE()
	if err != nil {
		return nil, err
	}
	t := &tree{fsys: f}
	root := &rootNode{t: t}
	fopt := &fs.Options{
		MountOptions: fuse.MountOptions{
			AllowOther:         opt.AllowOther,
			Debug:              opt.Debug,
			FsName:             f.stor.URL(),
			Name:               "zodb",
			Options:            []string{"ro", "default_permissions"},
			DisableXAttrs:      true,
			DisableReadDirPlus: true, // a million oids are listed without a lookup each
			DirectMount:        direct,
			DirectMountFlags:   syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_RDONLY,
			MaxReadAhead:       128 << 10,
		},
		RootStableAttr: &fs.StableAttr{Ino: rootIno, Mode: typeDir},
		UID:            uint32(os.Getuid()),
		GID:            uint32(os.Getgid()),
	}
	if opt.Debug {
		fopt.MountOptions.Logger = log.New(os.Stderr, "zodb mount: ", log.Lmicroseconds)
	}
	srv, err := fs.Mount(abs, root, fopt)
	if err != nil {
		return nil, fmt.Errorf("mount: %s: %w", dir, err)
	}
	return &Server{srv: srv, dir: abs}, nil
}

// Dir returns the mount point.
func (s *Server) Dir() string { return s.dir }

// Wait returns once the filesystem is unmounted.
func (s *Server) Wait() { s.srv.Wait() }

// Unmount unmounts the filesystem; it fails while a process uses it (has
// a file open or its working directory in it).
func (s *Server) Unmount() error {
	if err := s.srv.Unmount(); err != nil {
		return fmt.Errorf("mount: unmount %s: %w", s.dir, err)
	}
	return nil
}

// checkMountPoint returns dir's absolute path after checking that it is a
// directory and not a mount point yet.
func checkMountPoint(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("mount: %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, syscall.ENOTCONN):
		return "", fmt.Errorf("mount: %s: %w: a FUSE mount whose server is gone (unmount it: fusermount3 -u %s)", dir, ErrMounted, dir)
	case err != nil:
		return "", fmt.Errorf("mount: %w", err)
	case !st.IsDir():
		return "", fmt.Errorf("mount: %s: not a directory", dir)
	}
	if mounted, err := isMountPoint(abs); err == nil && mounted {
		return "", fmt.Errorf("mount: %s: %w (unmount it first: fusermount3 -u %s)", dir, ErrMounted, dir)
	}
	return abs, nil
}

// isMountPoint says whether /proc/self/mountinfo lists dir as a mount
// point.
func isMountPoint(dir string) (bool, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	defer f.Close()
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mount-point options ...
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && unescapeMountinfo(fields[4]) == real {
			return true, nil
		}
	}
	return false, sc.Err()
}

// unescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			ok := true
			for _, c := range []byte(s[i+1 : i+4]) {
				if c < '0' || c > '7' {
					ok = false
				}
				v = v*8 + c - '0'
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// devFuse is the FUSE device; tests make it missing.
var devFuse = "/dev/fuse"

// checkFUSE says whether FUSE can be used, and whether to mount with
// mount(2) directly (as root) rather than with fusermount.
func checkFUSE() (direct bool, err error) {
	if _, err := os.Stat(devFuse); err != nil {
		return false, fmt.Errorf("mount: %w: %w (load the fuse module; in a container, pass the device /dev/fuse)", ErrNoFUSE, err)
	}
	if os.Geteuid() == 0 {
		return true, nil
	}
	for _, prog := range []string{"fusermount3", "fusermount"} {
		if _, err := exec.LookPath(prog); err == nil {
			return false, nil
		}
	}
	return false, fmt.Errorf("mount: %w: fusermount3 not found (install fuse3)", ErrNoFUSE)
}

// Detach unmounts the filesystem lazily: it leaves the directory tree at
// once, and is served until the last program using it lets go.
func (s *Server) Detach() error {
	var err error
	if os.Geteuid() == 0 {
		err = syscall.Unmount(s.dir, syscall.MNT_DETACH)
	} else {
		err = exec.Command("fusermount3", "-u", "-z", s.dir).Run()
	}
	if err != nil {
		return fmt.Errorf("mount: detach %s: %w", s.dir, err)
	}
	return nil
}
