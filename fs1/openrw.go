package fs1

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// openWriter opens path for writing as Python's FileStorage.__init__ does
// without read_only: lock, create, read the index, cut the tail.
func openWriter(ctx context.Context, path string, opt *Options) (_ *FileStorage, err error) {
	lock, err := Lock(path)
	if err != nil {
		return nil, err
	}
	var wf *os.File
	var f *File
	defer func() {
		if err != nil {
			if f != nil {
				f.Close()
			}
			if wf != nil {
				wf.Close()
			}
			lock.Unlock()
		}
	}()
	if wf, err = createData(path); err != nil {
		return nil, err
	}
	if f, err = OpenFile(path); err != nil {
		return nil, err
	}
	fs := &FileStorage{file: f, path: path, url: path, idxPath: path + ".index"}
	rebuilt, err := fs.openIndex(ctx)
	if err != nil {
		return nil, err
	}
	log := opt.logger()
	floor := fs.mu.scan.head // Python's new tids follow even a cut one
	if err := fs.cutTail(wf, log); err != nil {
		return nil, err
	}
	if rebuilt {
		fs.saveRebuiltIndex()
	}
	fs.w = newWriter(wf, lock, opt, log)
	fs.initWriter(floor)
	warnFuture(log, path, fs.mu.scan.head)
	return fs, nil
}

// createData opens the data file for writing, creating it when missing,
// and writes the magic into a new or empty file, as Python does (it also
// accepts an empty file as a new one).
func createData(path string) (*os.File, error) {
	wf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("fs1: %w", err)
	}
	fi, err := wf.Stat()
	if err == nil && fi.Size() == 0 {
		if _, err = wf.WriteAt([]byte(Magic30), 0); err == nil {
			err = datasync(wf)
		}
	}
	if err != nil {
		wf.Close()
		return nil, fmt.Errorf("fs1: create %s: %w", path, err)
	}
	return wf, nil
}

// cutTail cuts the file at the end of its last committed transaction when
// something follows it, as Python's read_index does when not read-only:
// a header cut by the end of the file is dropped with a warning; anything
// else (a transaction cut short, a checkpoint never finished, junk) is
// first saved to a side file by saveCut. The head then is the last
// committed transaction: the one cut never was.
func (fs *FileStorage) cutTail(wf *os.File, log *slog.Logger) error {
	s := &fs.mu.scan
	tail := s.tail
	if tail == nil {
		return nil
	}
	size := fs.file.Size()
	name := fs.file.Path()
	if size-tail.Pos < TxnHeaderFixLen {
		log.Warn(fmt.Sprintf("%s truncated at %d", name, tail.Pos))
	} else {
		log.Warn(fmt.Sprintf("%s truncated, possibly due to damaged records at %d", name, tail.Pos))
		if err := saveCut(wf, name, tail.Pos, size, log); err != nil {
			return err
		}
	}
	if err := wf.Truncate(tail.Pos); err != nil {
		return fmt.Errorf("fs1: %s: cut the torn tail at %d: %w", name, tail.Pos, err)
	}
	if err := datasync(wf); err != nil {
		return fmt.Errorf("fs1: %s: %w", name, err)
	}
	fs.file.setSize(tail.Pos)
	s.tail, s.head = nil, s.last
	return nil
}

// saveCut copies the bytes [pos, size) of the data file to the first of
// name.tr0, name.tr1, ... that does not exist, as Python's _truncate does,
// and makes it durable before the data file is cut.
func saveCut(wf *os.File, name string, pos, size int64, log *slog.Logger) error {
	for i := 0; ; i++ {
		side := name + ".tr" + strconv.Itoa(i)
		out, err := os.OpenFile(side, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("fs1: %s: save the torn tail: %w", name, err)
		}
		log.Warn(fmt.Sprintf("Writing truncated data from %s to %s", name, side))
		_, err = io.Copy(out, io.NewSectionReader(wf, pos, size-pos))
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("fs1: %s: save the torn tail to %s: %w", name, side, err)
		}
		return nil
	}
}

// warnFuture logs, as Python does at open, that the last transaction is
// later than the clock: new transactions will get tids after it anyway.
func warnFuture(log *slog.Logger, name string, head zodb.Tid) {
	if head == 0 {
		return
	}
	d := head.Time().Sub(time.Now())
	if d <= 0 {
		return
	}
	msg := fmt.Sprintf("%s Database records %d seconds in the future", name, int64(d.Seconds()))
	if d > 30*time.Minute {
		log.Error(msg)
	} else {
		log.Warn(msg)
	}
}
