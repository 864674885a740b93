package mount

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// headTracker follows the storage's head for head/: when head/ is used and
// the last sync is older than every, it syncs the storage and switches to
// the new head in one atomic store. Every operation under head/ reads the
// head once, so what it serves is one state; a file opened under head/
// keeps the state it was opened at.
type headTracker struct {
	fsys  *FS
	every time.Duration
	at    atomic.Uint64 // the tid head shows

	mu struct {
		sync.Mutex // held while syncing
		last       time.Time
		failing    bool // the last sync failed (logged once)
	}
}

func (h *headTracker) init(ctx context.Context, f *FS, every time.Duration) error {
	h.fsys, h.every = f, every
	at, err := f.stor.Sync(ctx)
	if err != nil {
		return err
	}
	h.at.Store(uint64(at))
	h.mu.last = time.Now()
	return nil
}

// current returns the tid head shows now, syncing first when the last
// sync is older than h.every. A sync another operation is doing is not
// waited for. A failing sync is logged once and head stays where it was.
func (h *headTracker) current(ctx context.Context) zodb.Tid {
	if h.mu.TryLock() {
		if time.Since(h.mu.last) >= h.every {
			h.syncLocked(ctx)
		}
		h.mu.Unlock()
	}
	return zodb.Tid(h.at.Load())
}

// sync syncs the storage now and returns the new head, waiting for a
// sync in progress: for a name that may be a state just committed.
func (h *headTracker) sync(ctx context.Context) zodb.Tid {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.mu.last) >= h.every/4 {
		h.syncLocked(ctx)
	}
	return zodb.Tid(h.at.Load())
}

// REQUIRES: h.mu held.
func (h *headTracker) syncLocked(ctx context.Context) {
	h.mu.last = time.Now()
	// The sync serves every operation to come, not just this one: an
	// interrupted request does not stop it halfway.
	at, err := h.fsys.stor.Sync(context.WithoutCancel(ctx))
	if err != nil {
		if !h.mu.failing {
			h.fsys.log.Error("zodb mount: head stays at "+zodb.Tid(h.at.Load()).String(), "err", err)
		}
		h.mu.failing = true
		return
	}
	if h.mu.failing {
		h.fsys.log.Info("zodb mount: sync works again", "head", at)
	}
	h.mu.failing = false
	if at > zodb.Tid(h.at.Load()) {
		h.at.Store(uint64(at))
	}
}
