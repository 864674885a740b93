package fs1tools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// DefaultPackDays is how many days of history a pack keeps when given no
// pack time: zodbpack's --days default.
const DefaultPackDays = 1.0

// PackTid returns the pack time a pack command means, as a tid: at, when
// not empty, read as zodbtools reads a tid or a date (zodb.ParseTidOrTime),
// else now minus days, as zodbpack computes time.time() - days*86400.
//
// Errors: at is neither a tid nor a time; days is negative or not a
// number; the pack time is after now (a pack must not remove what the
// transactions being committed now may still refer to), or before 1900
// where tids start.
func PackTid(at string, days float64, now time.Time) (zodb.Tid, error) {
	var tid zodb.Tid
	if at != "" {
		t, err := zodb.ParseTidOrTime(at, now)
		if err != nil {
			return 0, fmt.Errorf("fs1tools: pack: %w", err)
		}
		tid = t
	} else {
		if math.IsNaN(days) || days < 0 || days > 1e7 {
			return 0, fmt.Errorf("fs1tools: pack: invalid number of days %v: want a number >= 0", days)
		}
		tid = zodb.TidFromTime(now.Add(-time.Duration(days * 24 * float64(time.Hour))))
	}
	if tid == 0 {
		return 0, fmt.Errorf("fs1tools: pack: invalid pack time %s (tid 0)", at)
	}
	if nowTid := zodb.TidFromTime(now); tid > nowTid {
		return 0, fmt.Errorf("fs1tools: pack: pack time %s (%s) is in the future", tid, tid.TimeString())
	}
	return tid, nil
}

// PackOptions tune Pack.
type PackOptions struct {
	NoGC      bool // see fs1.PackOptions
	RemoveOld bool // see fs1.PackOptions
	// Warn, if not nil, is told what the storage warns about: a torn
	// tail cut off the file before the pack, as Python's read-write open
	// cuts it.
	Warn func(err error)
	// Progress, if not nil, is called now and then with how much of the
	// work is done, out of total.
	Progress func(done, total int64)
}

// Pack packs the FileStorage at path, which no process may have open for
// writing, to the pack time packTid with fs1.PackFile, and writes to w one
// line saying what it did:
//
//	packed data.fs to 2024-01-02 03:13:26.446686 (03f5946172b1b6c0): 29740 -> 18829 bytes
//	nothing to pack in data.fs at 2024-01-02 03:13:26.446686 (03f5946172b1b6c0): <why>
//
// Errors are fs1.PackFile's, and w's. A *fs1.DanglingRefError says that
// packing without garbage collection (NoGC) would not meet it.
func Pack(ctx context.Context, w io.Writer, path string, packTid zodb.Tid, opt *PackOptions) error {
	if opt == nil {
		opt = &PackOptions{}
	}
	popt := &fs1.PackOptions{NoGC: opt.NoGC, RemoveOld: opt.RemoveOld, Progress: opt.Progress}
	if opt.Warn != nil {
		popt.Logger = slog.New(warnHandler{opt.Warn})
	}
	res, err := fs1.PackFile(ctx, path, packTid, popt)
	var de *fs1.DanglingRefError
	if errors.As(err, &de) {
		return fmt.Errorf("%w (a pack without garbage collection does not follow references)", err)
	}
	if err != nil {
		return err
	}
	at := fmt.Sprintf("%s (%s)", packTid.TimeString(), packTid)
	if res.Packed {
		_, err = fmt.Fprintf(w, "packed %s to %s: %d -> %d bytes\n", path, at, res.OldSize, res.NewSize)
	} else {
		_, err = fmt.Fprintf(w, "nothing to pack in %s at %s: %s\n", path, at, res.Reason)
	}
	if err != nil {
		return fmt.Errorf("fs1tools: pack: %w", err)
	}
	return nil
}

// warnHandler passes what the storage logs at warning level and above to
// a Warn function.
type warnHandler struct{ warn func(error) }

func (h warnHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h warnHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h warnHandler) WithGroup(string) slog.Handler                { return h }
func (h warnHandler) Handle(_ context.Context, r slog.Record) error {
	h.warn(errors.New(r.Message))
	return nil
}
