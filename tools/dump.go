package tools

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/zodbneo/zodbneo/zodb"
)

// Pretty names how Dump shows object data and extensions.
type Pretty string

const (
	// PrettyRaw is zodbtools' default: data as raw bytes, extensions quoted.
	// Only this form can be restored.
	PrettyRaw Pretty = "raw"
	// PrettyZPickleDis shows pickles disassembled as zodbtools'
	// --pretty=zpickledis does (zodbpickle's pickletools.dis).
	PrettyZPickleDis Pretty = "zpickledis"
)

// ParsePretty checks that s names a known pretty format.
func ParsePretty(s string) (Pretty, error) {
	switch p := Pretty(s); p {
	case PrettyRaw, PrettyZPickleDis:
		return p, nil
	}
	return "", fmt.Errorf("tools: unsupported pretty format %q (want raw or zpickledis)", s)
}

// DumpOptions say what Dump writes. The zero value is zodbtools' default:
// raw data in full.
type DumpOptions struct {
	// HashOnly writes only each object's size and hash, not its data.
	HashOnly bool
	// Pretty is PrettyRaw when empty.
	Pretty Pretty
	// Progress, when set, is told now and then how far the dump has got,
	// in units of the tid span it covers.
	Progress func(done, total int64)
}

// Dump writes the transactions of stor with tidMin <= tid <= tidMax in
// zodbtools' dump format (see the package documentation).
//
// A transaction is written only once all its records were read, so that
// when iteration fails — a torn or damaged storage — w holds every
// transaction before the damage and nothing of the damaged one; the error
// then says what failed. Output goes through a buffer flushed before Dump
// returns, on success and on error.
func Dump(ctx context.Context, w io.Writer, stor zodb.Storage, tidMin, tidMax zodb.Tid, opt *DumpOptions) (err error) {
	if opt == nil {
		opt = &DumpOptions{}
	}
	d := &dumper{opt: *opt}
	if d.opt.Pretty == "" {
		d.opt.Pretty = PrettyRaw
	}
	if _, err := ParsePretty(string(d.opt.Pretty)); err != nil {
		return err
	}
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	d.w = bw
	defer func() {
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("tools: dump: %w", ferr)
		}
	}()

	progress := newTidProgress(opt.Progress, stor, tidMax)
	it := stor.Iterate(ctx, tidMin, tidMax)
	for {
		txn, dit, err := it.NextTxn(ctx)
		if errors.Is(err, io.EOF) {
			progress.finish()
			return nil
		}
		if err != nil {
			return fmt.Errorf("tools: dump: %w", err)
		}
		progress.txn(txn.Tid)
		if err := d.collect(ctx, dit); err != nil {
			return fmt.Errorf("tools: dump: txn %s: %w", txn.Tid, err)
		}
		if err := d.writeTxn(txn); err != nil {
			return fmt.Errorf("tools: dump: txn %s: %w", txn.Tid, err)
		}
	}
}

// dumper holds the state Dump reuses from one transaction to the next.
type dumper struct {
	opt DumpOptions
	w   *bufio.Writer
	// recs and arena hold the current transaction's records: a record's
	// data is arena[off:off+n]. Both are reused for every transaction.
	recs  []dumpRec
	arena []byte
	line  []byte // scratch for building one line
}

type dumpRec struct {
	oid     zodb.Oid
	dataTid zodb.Tid
	deleted bool
	off, n  int
}

// collect reads all records of one transaction. zodbtools sorts them by
// oid (util.txnobjv), stably; FileStorage mostly stores them in that order
// already, so sorting is skipped when it is.
func (d *dumper) collect(ctx context.Context, dit zodb.DataIterator) error {
	d.recs = d.recs[:0]
	d.arena = d.arena[:0]
	sorted := true
	for {
		di, err := dit.NextData(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		r := dumpRec{oid: di.Oid, dataTid: di.DataTid, deleted: di.Data == nil,
			off: len(d.arena), n: len(di.Data)}
		d.arena = append(d.arena, di.Data...)
		if k := len(d.recs); k > 0 && d.recs[k-1].oid > r.oid {
			sorted = false
		}
		d.recs = append(d.recs, r)
	}
	if !sorted {
		slices.SortStableFunc(d.recs, func(a, b dumpRec) int {
			switch {
			case a.oid < b.oid:
				return -1
			case a.oid > b.oid:
				return 1
			}
			return 0
		})
	}
	return nil
}

func (d *dumper) writeTxn(txn *zodb.TxnInfo) error {
	l := append(d.line[:0], "txn "...)
	l = appendHex64(l, uint64(txn.Tid))
	l = append(l, ' ')
	l = AppendQuote(l, []byte{byte(txn.Status)})
	l = append(l, "\nuser "...)
	l = AppendQuote(l, txn.User)
	l = append(l, "\ndescription "...)
	l = AppendQuote(l, txn.Description)
	l = append(l, '\n')
	d.line = l
	d.w.Write(l)
	if err := d.writeExtension(txn.Extension); err != nil {
		return err
	}
	for i := range d.recs {
		if err := d.writeObj(&d.recs[i]); err != nil {
			return err
		}
	}
	err := d.w.WriteByte('\n')
	return err
}

func (d *dumper) writeExtension(ext []byte) error {
	if d.opt.Pretty == PrettyZPickleDis {
		return disExtension(d.w, ext)
	}
	l := append(d.line[:0], "extension "...)
	l = AppendQuote(l, ext)
	l = append(l, '\n')
	d.line = l
	_, err := d.w.Write(l)
	return err
}

func (d *dumper) writeObj(r *dumpRec) error {
	data := d.arena[r.off : r.off+r.n]
	l := append(d.line[:0], "obj "...)
	l = appendHex64(l, uint64(r.oid))
	switch {
	case r.deleted:
		l = append(l, " delete\n"...)
	case r.dataTid != 0:
		l = append(l, " from "...)
		l = appendHex64(l, uint64(r.dataTid))
		l = append(l, '\n')
	default:
		l = appendObjHash(l, data)
		if d.opt.HashOnly {
			l = append(l, " -\n"...)
			break
		}
		l = append(l, '\n')
		d.line = l
		d.w.Write(l)
		if err := d.writeData(data); err != nil {
			return err
		}
		l = append(l[:0], '\n')
	}
	d.line = l
	_, err := d.w.Write(l)
	return err
}

func (d *dumper) writeData(data []byte) error {
	if d.opt.Pretty == PrettyZPickleDis {
		return disObject(d.w, data)
	}
	_, err := d.w.Write(data)
	return err
}

// appendObjHash appends " <size> sha1:<hex>" of data.
func appendObjHash(l, data []byte) []byte {
	sum := sha1.Sum(data)
	l = append(l, ' ')
	l = strconv.AppendInt(l, int64(len(data)), 10)
	l = append(l, " sha1:"...)
	return hex.AppendEncode(l, sum[:])
}

func appendHex64(dst []byte, v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return hex.AppendEncode(dst, b[:])
}
