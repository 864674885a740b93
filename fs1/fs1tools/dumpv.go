package fs1tools

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// DumpVerbose writes to w what Python's fsdump.Dumper(path).dump() prints:
// every header field of every record, read straight through the file.
//
// Like Dumper it checks nothing but that each record is there to read: it
// is the tool to look at a damaged file with. Where Dumper would fail on a
// record cut by the end of the file, DumpVerbose returns an
// *fs1.RecordError wrapping io.ErrUnexpectedEOF after writing what Dumper
// printed before failing. A file without a FileStorage magic is refused.
func DumpVerbose(w io.Writer, path string) (err error) {
	// fs1.OpenFile checks the magic; the dump itself reads raw records.
	ff, err := fs1.OpenFile(path)
	if err != nil {
		return err
	}
	ff.Close()
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fs1tools: %w", err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(w, 64<<10)
	defer func() {
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("fs1tools: dump: %w", ferr)
		}
	}()
	v := &rawDumper{r: bufio.NewReaderSize(f, 64<<10), w: bw, path: path}
	return v.run()
}

// rawDumper reads a data file front to back as Dumper does.
type rawDumper struct {
	r    *bufio.Reader
	pos  int64 // file position of the next byte of r
	w    *bufio.Writer
	path string
}

var (
	stars  = strings.Repeat("*", 60)
	equals = strings.Repeat("=", 60)
	dashes = strings.Repeat("-", 60)
)

func (v *rawDumper) run() error {
	magic, _ := v.read(fs1.FileHeaderLen)
	fmt.Fprintf(v.w, "%s\nfile identifier: %s\n", stars, appendBytesRepr(nil, magic))
	for {
		more, err := v.txn()
		if err != nil || !more {
			return err
		}
	}
}

// read reads up to n bytes: fewer only at the end of the file.
func (v *rawDumper) read(n int64) ([]byte, error) {
	b := make([]byte, n)
	k, err := io.ReadFull(v.r, b)
	v.pos += int64(k)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return b[:k], err
}

// need reads exactly n bytes of the record at recPos.
func (v *rawDumper) need(recPos, n int64, what string) ([]byte, error) {
	b, err := v.read(n)
	if err != nil {
		return nil, v.recErr(recPos, err)
	}
	if int64(len(b)) < n {
		return nil, v.recErr(recPos, fmt.Errorf("%s cut after %d of %d bytes: %w", what, len(b), n, io.ErrUnexpectedEOF))
	}
	return b, nil
}

func (v *rawDumper) recErr(pos int64, err error) error {
	return &fs1.RecordError{Path: v.path, Pos: pos, Err: err}
}

// txn dumps the transaction at the current position; false at the end of
// the file.
func (v *rawDumper) txn() (bool, error) {
	pos := v.pos
	if _, err := v.r.Peek(1); err == io.EOF {
		return false, nil
	}
	h, err := v.need(pos, fs1.TxnHeaderFixLen, "transaction header")
	if err != nil {
		return false, err
	}
	tl := binary.BigEndian.Uint64(h[8:])
	ulen, dlen, elen := binary.BigEndian.Uint16(h[17:]), binary.BigEndian.Uint16(h[19:]), binary.BigEndian.Uint16(h[21:])
	end := uint64(pos) + tl // Dumper's "end pos", unchecked
	// Like Dumper, take what is there of the metadata: a short read
	// shows up at the next record.
	user, err1 := v.read(int64(ulen))
	desc, err2 := v.read(int64(dlen))
	_, err3 := v.read(int64(elen))
	if err := errors.Join(err1, err2, err3); err != nil {
		return false, v.recErr(pos, err)
	}
	b := fmt.Appendf(nil, "%s\noffset: %d\nend pos: %d\ntransaction id: %x\ntrec len: %d\nstatus: ",
		equals, pos, end, h[:8], tl)
	b = appendBytesRepr(b, h[16:17])
	b = append(b, "\nuser: "...)
	b = appendMetaRepr(b, user)
	b = append(b, "\ndescription: "...)
	b = appendMetaRepr(b, desc)
	b = fmt.Appendf(b, "\nlen(extra): %d\n", elen)
	v.w.Write(b)
	for uint64(v.pos) < end {
		if err := v.data(); err != nil {
			return false, err
		}
	}
	stl, err := v.need(pos, 8, "redundant transaction length")
	if err != nil {
		return false, err
	}
	fmt.Fprintf(v.w, "redundant trec len: %d\n", binary.BigEndian.Uint64(stl))
	return true, nil
}

// data dumps the data record at the current position.
func (v *rawDumper) data() error {
	pos := v.pos
	h, err := v.need(pos, fs1.DataHeaderLen, "data record header")
	if err != nil {
		return err
	}
	be := binary.BigEndian
	fmt.Fprintf(v.w, "%s\noffset: %d\noid: %x\nrevid: %x\nprevious record offset: %d\ntransaction offset: %d\n",
		dashes, pos, h[0:8], h[8:16], be.Uint64(h[16:]), be.Uint64(h[24:]))
	if vlen := be.Uint16(h[32:]); vlen != 0 {
		// Dumper asserts that versions are gone.
		return v.recErr(pos, fmt.Errorf("version length %d, want 0: %w", vlen, zodb.ErrCorrupt))
	}
	dlen := be.Uint64(h[34:])
	v.w.WriteString("len(data): " + strconv.FormatUint(dlen, 10) + "\n")
	if dlen == 0 {
		bp, err := v.need(pos, 8, "backpointer")
		if err != nil {
			return err
		}
		fmt.Fprintf(v.w, "backpointer: %d\n", be.Uint64(bp))
		return nil
	}
	n, err := io.CopyN(io.Discard, v.r, int64(min(dlen, 1<<62)))
	v.pos += n
	if err == io.EOF {
		return v.recErr(pos, fmt.Errorf("data cut after %d of %d bytes: %w", n, dlen, io.ErrUnexpectedEOF))
	}
	if err != nil {
		return v.recErr(pos, err)
	}
	return nil
}
