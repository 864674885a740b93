package fs1tools

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// DumpOptions tunes Dump.
type DumpOptions struct {
	// Warn, if not nil, is told why the dump stopped before the end of
	// the file where Python's fsdump stops quietly: a transaction that
	// runs past the end of the file, or one still being committed.
	Warn func(err error)
}

// Dump writes to w what Python's fsdump(path) prints: per transaction its
// number, tid, length, time and first data record's position ("offset"),
// status and metadata, then per data record its oid, data size, class and,
// for an undo record, the tid its backpointer leads to.
//
// Errors are *fs1.RecordError for a corrupt or torn record (after the
// transactions before it are written), and errors opening path or
// writing to w.
func Dump(w io.Writer, path string, opt *DumpOptions) (err error) {
	f, err := fs1.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	defer func() {
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("fs1tools: dump: %w", ferr)
		}
	}()
	d := dumper{f: f, w: bw}
	if opt != nil {
		d.warn = opt.Warn
	}
	return d.run()
}

type dumper struct {
	f    *fs1.File
	w    *bufio.Writer
	warn func(error)
	line []byte // reused line buffer
}

func (d *dumper) run() error {
	it := d.f.Iter(fs1.FileHeaderLen, fs1.Forward)
	for i := 0; ; i++ {
		pos := it.Pos()
		h, err := it.NextTxn()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return d.stop(pos, err)
		}
		if h.Status == zodb.TxnInprogress {
			// fsdump takes it for the last, in-progress transaction.
			d.warnf(&fs1.RecordError{Path: d.f.Path(), Pos: h.Pos, Err: fs1.ErrInProgress})
			return nil
		}
		if err := d.txn(i, h); err != nil {
			return err
		}
		if err := d.records(it); err != nil {
			return err
		}
	}
}

// stop decides what an error reading the transaction at pos means. Python's
// FileIterator stops quietly (logging a warning) at a transaction whose
// 23-byte header is whole but whose record runs past the end of the file;
// any other error it raises, and so do we.
func (d *dumper) stop(pos int64, err error) error {
	if fs1.IsTorn(err) && d.f.Size()-pos >= fs1.TxnHeaderFixLen {
		d.warnf(err)
		return nil
	}
	return err
}

func (d *dumper) warnf(err error) {
	if d.warn != nil {
		d.warn(err)
	}
}

func (d *dumper) txn(i int, h *fs1.TxnHeader) error {
	b := d.line[:0]
	b = append(b, "Trans #"...)
	b = appendPad5(b, i)
	b = append(b, " tid="...)
	b = append(b, h.Tid.String()...)
	b = append(b, " size="...)
	b = strconv.AppendInt(b, h.Len, 10)
	b = append(b, " time="...)
	b = append(b, h.Tid.TimeString()...)
	b = append(b, " offset="...)
	b = strconv.AppendInt(b, h.DataPos(), 10)
	b = append(b, "\n    status="...)
	b = appendStrRepr(b, string(rune(h.Status)))
	b = append(b, " user="...)
	b = pyquote.AppendBytesRepr(b, h.User)
	b = append(b, " description="...)
	b = pyquote.AppendBytesRepr(b, h.Description)
	b = append(b, '\n')
	d.line = b
	_, err := d.w.Write(b)
	return err
}

// records writes the data record lines of the iterator's transaction.
func (d *dumper) records(it *fs1.Iter) error {
	for j := 0; ; j++ {
		h, err := it.NextData()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var data []byte
		if h.DataLen != 0 {
			data, err = it.Data()
		} else {
			data, err = d.f.LoadData(h)
		}
		if err != nil {
			return err
		}
		var bp zodb.Tid
		if h.DataLen == 0 && h.BackPos != 0 {
			// fsdump names the record the backpointer points to, not
			// the end of the chain.
			b, err := d.f.ReadDataHeader(h.BackPos)
			if err != nil {
				return err
			}
			bp = b.Tid
		}
		if err := d.record(j, h.Oid, data, bp); err != nil {
			return &fs1.RecordError{Path: d.f.Path(), Pos: h.Pos, Err: err}
		}
	}
}

func (d *dumper) record(j int, oid zodb.Oid, data []byte, bp zodb.Tid) error {
	b := d.line[:0]
	b = append(b, "  data #"...)
	b = appendPad5(b, j)
	b = append(b, " oid="...)
	b = append(b, oid.String()...)
	if data == nil {
		b = append(b, " class=undo or abort of object creation"...)
	} else {
		b = append(b, " size="...)
		b = strconv.AppendInt(b, int64(len(data)), 10)
		module, name, err := zpickle.ClassOf(data)
		if err != nil {
			// get_pickle_metadata raises here, and fsdump with it.
			return err
		}
		b = append(b, " class="...)
		b = append(b, module...)
		b = append(b, '.')
		b = append(b, name...)
	}
	if bp != 0 {
		b = append(b, " bp="...)
		b = append(b, bp.String()...)
	}
	b = append(b, '\n')
	d.line = b
	_, err := d.w.Write(b)
	return err
}

// appendPad5 appends n as Python's "%05d".
func appendPad5(b []byte, n int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < 5; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
