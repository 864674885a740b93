package fs1tools

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"bufio"
	"encoding/binary"
	"encoding/hex"
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
	buf  []byte // what read returns
	line []byte // output line being formatted
}

var (
	stars  = strings.Repeat("*", 60)
	equals = strings.Repeat("=", 60)
	dashes = strings.Repeat("-", 60)
)

func (v *rawDumper) run() error {
	magic, _ := v.read(fs1.FileHeaderLen)
	fmt.Fprintf(v.w, "%s\nfile identifier: %s\n", stars, pyquote.AppendBytesRepr(nil, magic))
	for {
		more, err := v.txn()
		if err != nil || !more {
			return err
		}
	}
}

// read reads up to n bytes: fewer only at the end of the file. The bytes
// are valid until the next read.
func (v *rawDumper) read(n int64) ([]byte, error) {
	if int64(cap(v.buf)) < n {
		v.buf = make([]byte, n)
	}
	b := v.buf[:n]
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
	hb, err := v.need(pos, fs1.TxnHeaderFixLen, "transaction header")
	if err != nil {
		return false, err
	}
	var h [fs1.TxnHeaderFixLen]byte
	copy(h[:], hb)
	tl := binary.BigEndian.Uint64(h[8:])
	ulen, dlen, elen := int(binary.BigEndian.Uint16(h[17:])), int(binary.BigEndian.Uint16(h[19:])), binary.BigEndian.Uint16(h[21:])
	end := uint64(pos) + tl // Dumper's "end pos", unchecked
	// Like Dumper, take what is there of the metadata: a short read
	// shows up at the next record.
	meta, err := v.read(int64(ulen + dlen + int(elen)))
	if err != nil {
		return false, v.recErr(pos, err)
	}
	user := meta[:min(ulen, len(meta))]
	desc := meta[len(user):min(ulen+dlen, len(meta))]
	b := fmt.Appendf(v.line[:0], "%s\noffset: %d\nend pos: %d\ntransaction id: %x\ntrec len: %d\nstatus: ",
		equals, pos, end, h[:8], tl)
	b = pyquote.AppendBytesRepr(b, h[16:17])
	b = append(b, "\nuser: "...)
	b = appendMetaRepr(b, user)
	b = append(b, "\ndescription: "...)
	b = appendMetaRepr(b, desc)
	b = fmt.Appendf(b, "\nlen(extra): %d\n", elen)
	v.line = b
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
	b := append(v.line[:0], dashes...)
	b = append(b, "\noffset: "...)
	b = strconv.AppendInt(b, pos, 10)
	b = append(b, "\noid: "...)
	b = hex.AppendEncode(b, h[0:8])
	b = append(b, "\nrevid: "...)
	b = hex.AppendEncode(b, h[8:16])
	b = append(b, "\nprevious record offset: "...)
	b = strconv.AppendUint(b, be.Uint64(h[16:]), 10)
	b = append(b, "\ntransaction offset: "...)
	b = strconv.AppendUint(b, be.Uint64(h[24:]), 10)
	b = append(b, '\n')
	v.line = b
	v.w.Write(b)
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
		v.w.WriteString("backpointer: " + strconv.FormatUint(be.Uint64(bp), 10) + "\n")
		return nil
	}
	return v.skip(pos, dlen)
}

// skip passes over the n bytes of data of the record at recPos.
func (v *rawDumper) skip(recPos int64, n uint64) error {
	for left := n; left > 0; {
		k, err := v.r.Discard(int(min(left, 1<<30)))
		v.pos += int64(k)
		left -= uint64(k)
		if err == io.EOF {
			return v.recErr(recPos, fmt.Errorf("data cut after %d of %d bytes: %w", n-left, n, io.ErrUnexpectedEOF))
		}
		if err != nil {
			return v.recErr(recPos, err)
		}
	}
	return nil
}
