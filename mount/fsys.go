package mount

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// Options say how the filesystem behaves and how it is mounted. The zero
// value is ready to use.
type Options struct {
	// AllowOther lets users other than the one who mounted see the files
	// (FUSE's allow_other; for a user other than root, /etc/fuse.conf
	// must say user_allow_other).
	AllowOther bool
	// Debug logs every FUSE request and answer to Logger.
	Debug bool
	// Logger gets what goes wrong while serving: a corrupt record read,
	// a failed sync. Nil means slog.Default().
	Logger *slog.Logger
	// SyncEvery is how often at most head asks the storage for new
	// commits, when it is accessed; 0 means a second.
	SyncEvery time.Duration
	// CacheBytes bounds the memory of loaded records and rendered files
	// kept for reuse; 0 means 64 MiB.
	CacheBytes int64
}

// FS is the filesystem's content: the tree of directories and files the
// mount shows over a storage, without FUSE. Mount serves it.
//
// An FS does not own its storage: the caller closes the storage after
// the mount is gone. All methods may be called from several goroutines.
type FS struct {
	stor  zodb.Storage
	log   *slog.Logger
	cache *cache
	head  headTracker

	mu struct {
		sync.Mutex
		snaps map[zodb.Tid]bool // snapshots looked up, listed in the root
	}
}

// New returns the filesystem of stor. It syncs the storage once, so that
// head starts at the last committed transaction (a FileStorage opened
// read-only on a torn file reports the torn transaction until then).
//
// Errors: the storage's Sync.
func New(ctx context.Context, stor zodb.Storage, opt *Options) (*FS, error) {
	if opt == nil {
		opt = &Options{}
	}
	f := &FS{stor: stor, log: opt.Logger}
	if f.log == nil {
		f.log = slog.Default()
	}
	budget := opt.CacheBytes
	if budget <= 0 {
		budget = 64 << 20
	}
	f.cache = newCache(budget)
	f.mu.snaps = map[zodb.Tid]bool{}
	every := opt.SyncEvery
	if every <= 0 {
		every = time.Second
	}
	if err := f.head.init(ctx, f, every); err != nil {
		return nil, err
	}
	return f, nil
}

// Storage returns the storage the filesystem shows.
func (f *FS) Storage() zodb.Storage { return f.stor }

// snap returns the snapshot at tid, which must be a state the storage has.
func (f *FS) snap(at zodb.Tid) *snapshot { return &snapshot{fsys: f, at: at} }

// remember records that the snapshot at tid was looked up, so that the
// root lists it.
func (f *FS) remember(at zodb.Tid) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mu.snaps[at] = true
}

// snapshots returns the tids of the snapshots looked up so far, in order.
func (f *FS) snapshots() []zodb.Tid {
	f.mu.Lock()
	defer f.mu.Unlock()
	tids := make([]zodb.Tid, 0, len(f.mu.snaps))
	for tid := range f.mu.snaps {
		tids = append(tids, tid)
	}
	slices.Sort(tids)
	return tids
}
