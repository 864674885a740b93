package zodb

import "context"

// CommitEvent tells of one transaction committed by anyone.
type CommitEvent struct {
	Tid  Tid
	Oids []Oid // the objects it changed
}

// Watcher is a storage that reports commits as they happen (NEO's
// invalidations, ZEO's invalidateTransaction).
type Watcher interface {
	// Watch returns a channel receiving every commit after the call, in
	// tid order, until ctx ends or the storage is closed (the channel is
	// then closed). A watcher too slow to receive may miss nothing: the
	// storage blocks or buffers, never drops.
	Watch(ctx context.Context) (<-chan CommitEvent, error)
}
