package fs1

import (
	"log/slog"

	"github.com/zodbneo/zodbneo/zodb"
)

// Options say how to open a FileStorage. The zero value opens it for
// writing with Python's durability.
type Options struct {
	zodb.Options

	// Sync says when a commit waits for the disk.
	Sync SyncMode

	// Logger receives the warnings Python's FileStorage logs: a torn tail
	// cut off at a read-write open, and where its bytes were saved. nil
	// means slog.Default(), which Python's logging matches by printing
	// warnings on stderr.
	Logger *slog.Logger
}

// SyncMode says when a commit waits for its data to reach the disk.
type SyncMode int

const (
	// SyncFinish, the default, is Python's FileStorage: Vote writes the
	// transaction with the checkpoint status 'c' without waiting, and
	// Finish rewrites the status to ' ' and waits for both to reach the
	// disk (fdatasync where there is one). A crash before that leaves a
	// 'c' transaction, or a cut one, which the next read-write open cuts
	// off. This relies, as Python does, on the filesystem not showing
	// the status byte after a power loss without the appended data
	// before it (ext4 and XFS update the file size only once the data
	// are written).
	SyncFinish SyncMode = iota
	// SyncVote waits at Vote too, before the status byte is rewritten:
	// the transaction is complete on disk before it is marked committed,
	// on any filesystem. It costs a second wait per commit.
	SyncVote
	// SyncNone never waits: commits reach the disk when the operating
	// system writes them. A crash of the process loses nothing; a crash
	// of the machine may lose the last commits. For benchmarks and for
	// copies that are redone from scratch when they fail.
	SyncNone
)

func (o *Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}
