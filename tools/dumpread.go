package tools

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"

	"github.com/zodbneo/zodbneo/zodb"
)

// DumpError is a dump that cannot be read: where and why.
type DumpError struct {
	Name string // of the input, as Python's file name; may be empty
	Line int    // the line the problem is at, counting from 1
	Err  error
}

func (e *DumpError) Error() string { return fmt.Sprintf("%s+%d: %s", e.Name, e.Line, e.Err) }
func (e *DumpError) Unwrap() error { return e.Err }

// Limits that keep a bogus dump from using memory it does not hold. A
// FileStorage's metadata is at most 65535 bytes a field, four times that
// quoted; data is read as it arrives, so a size that lies costs nothing.
const (
	maxDumpLine  = 16 << 20
	dataChunkLen = 1 << 20
)

// DumpReader reads the transactions of a dump in zodbtools' format (see the
// package documentation): it is zodbtools' DumpReader, the inverse of Dump.
// It checks every entry's syntax, each data's size (the data must be
// followed by a line feed) and hash, and that the tids of transactions
// grow; errors are *DumpError values naming the line.
//
// A DumpReader keeps its first error: once ReadTxn failed it fails again.
type DumpReader struct {
	r       *bufio.Reader
	name    string
	line    int    // lines read so far
	text    []byte // the last line read, without its LF
	offset  int64  // bytes read so far
	prevTid zodb.Tid
	nTxn    int
	err     error

	// txn is what ReadTxn returns, reused; arena holds its metadata and
	// data and hashes, which objAt locates once the transaction is whole (arena
	// moves as it grows).
	txn   DumpTxn
	arena []byte
	objAt []objSpans
	// hashers holds one hash of each function met, reused.
	hashers map[string]hash.Hash
	sum     []byte // scratch for a digest
}

type span struct{ off, n int }

// objSpans locates an obj entry's hash and data in the arena.
type objSpans struct{ hash, data span }

// NewDumpReader returns a reader of the dump r. name is the input's name
// for error messages, as zodbtools shows it ("<stdin>" for standard input).
func NewDumpReader(r io.Reader, name string) *DumpReader {
	return &DumpReader{r: bufio.NewReaderSize(r, 64<<10), name: name}
}

// Offset returns how many bytes of the input were read so far.
func (d *DumpReader) Offset() int64 { return d.offset }

// Line returns how many lines of the input were read so far.
func (d *DumpReader) Line() int { return d.line }

// ReadTxn reads the next transaction. It returns io.EOF at the end of the
// input, which must come at the end of a transaction. The returned
// transaction, with its metadata and data, is valid until the next call.
//
// Errors: a *DumpError for a malformed dump or a failed read.
func (d *DumpReader) ReadTxn() (*DumpTxn, error) {
	txn, err := d.readTxn()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("tools: read dump: %w", err)
	}
	return txn, err
}

// readTxn is ReadTxn with errors not wrapped: a bare *DumpError, or io.EOF.
func (d *DumpReader) readTxn() (*DumpTxn, error) {
	if d.err != nil {
		return nil, d.err
	}
	txn, err := d.readTxn1()
	if err != nil {
		var de *DumpError
		if err != io.EOF && !errors.As(err, &de) {
			err = &DumpError{Name: d.name, Line: d.line, Err: err}
		}
		d.err = err
		return nil, err
	}
	return txn, nil
}

func (d *DumpReader) readTxn1() (*DumpTxn, error) {
	l, err := d.readLine()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, err
	}
	t := &d.txn
	*t = DumpTxn{Line: d.line, Objs: t.Objs[:0]}
	d.arena = d.arena[:0]
	d.objAt = d.objAt[:0]
	if err := d.parseTxnLine(l, t); err != nil {
		return nil, err
	}
	var meta [3]span
	for i, name := range []string{"user", "description", "extension"} {
		if meta[i], err = d.readMeta(name); err != nil {
			return nil, err
		}
	}
	if err := d.readObjs(t); err != nil {
		return nil, err
	}
	t.User = d.bytesAt(meta[0])
	t.Description = d.bytesAt(meta[1])
	t.Extension = d.bytesAt(meta[2])
	for i := range t.Objs {
		if o := &t.Objs[i]; o.Kind == DumpData {
			o.Hash = d.bytesAt(d.objAt[i].hash)
			if !o.HashOnly {
				o.Data = d.bytesAt(d.objAt[i].data)
			}
		}
	}
	d.prevTid = t.Tid
	d.nTxn++
	return t, nil
}

// bytesAt returns the arena's bytes at s; never nil, so that empty data
// is told from no data.
func (d *DumpReader) bytesAt(s span) []byte {
	return d.arena[s.off : s.off+s.n : s.off+s.n]
}

// readLine reads the next line, without its LF. At the end of the input
// it returns io.EOF, or the last line if it had no LF.
func (d *DumpReader) readLine() ([]byte, error) {
	l, err := d.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// a long line: gather it whole
		long := append([]byte(nil), l...)
		for err == bufio.ErrBufferFull && len(long) <= maxDumpLine {
			l, err = d.r.ReadSlice('\n')
			long = append(long, l...)
		}
		if len(long) > maxDumpLine {
			d.line++
			return nil, fmt.Errorf("line longer than %d bytes", maxDumpLine)
		}
		l = long
	}
	d.offset += int64(len(l))
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(l) == 0 {
		d.text = nil
		return nil, io.EOF
	}
	d.line++
	d.text = bytes.TrimSuffix(l, []byte{'\n'})
	return d.text, nil
}

// badLine returns the error of an invalid line as zodbtools words it: what
// is wrong and the line quoted (cut when long).
func (d *DumpReader) badLine(format string, args ...any) error {
	text := d.text
	const maxShown = 120
	cut := ""
	if len(text) > maxShown {
		text, cut = text[:maxShown], "..."
	}
	return &DumpError{Name: d.name, Line: d.line,
		Err: fmt.Errorf("invalid line: %s (%s%s)", fmt.Sprintf(format, args...), Quote(text), cut)}
}

// parseTxnLine parses `txn <tid> "<status>"`. zodbtools' reader takes
// the one byte between the quotes as the status, unquoted, while its
// writer quotes it; for the statuses in use both are the same, and both
// are accepted so that any status Dump writes reads back.
func (d *DumpReader) parseTxnLine(l []byte, t *DumpTxn) error {
	rest, ok := bytes.CutPrefix(l, []byte("txn "))
	if !ok || len(rest) < 16+4 || rest[16] != ' ' {
		return d.badLine("no txn start")
	}
	tid, ok := parseHex16(rest)
	if !ok {
		return d.badLine("no txn start")
	}
	status, q := byte(0), rest[17:]
	if len(q) == 3 && q[0] == '"' && q[2] == '"' {
		status = q[1]
	} else if s, err := Unquote(q); err == nil && len(s) == 1 {
		status = s[0]
	} else {
		return d.badLine("no txn start")
	}
	if d.nTxn > 0 && zodb.Tid(tid) <= d.prevTid {
		return &DumpError{Name: d.name, Line: d.line,
			Err: fmt.Errorf("txn %s is not after the previous one, %s: tids must grow", zodb.Tid(tid), d.prevTid)}
	}
	t.Tid = zodb.Tid(tid)
	t.Status = zodb.TxnStatus(status)
	return nil
}

// readMeta reads the line `<name> <quoted value>` into the arena.
func (d *DumpReader) readMeta(name string) (span, error) {
	l, err := d.readLine()
	if err == io.EOF {
		return span{}, d.badLine("no %s: unexpected end of dump", name)
	}
	if err != nil {
		return span{}, err
	}
	q, ok := bytes.CutPrefix(l, []byte(name+" "))
	if !ok {
		return span{}, d.badLine("no %s", name)
	}
	off := len(d.arena)
	d.arena, err = appendUnquote(d.arena, q)
	if err != nil {
		return span{}, d.badLine("%s: %s", name, err)
	}
	return span{off, len(d.arena) - off}, nil
}

// readObjs reads the obj entries up to the empty line ending a
// transaction.
func (d *DumpReader) readObjs(t *DumpTxn) error {
	for {
		l, err := d.readLine()
		if err == io.EOF {
			return &DumpError{Name: d.name, Line: d.line,
				Err: fmt.Errorf("unexpected end of dump in txn %s: no empty line after its last obj", t.Tid)}
		}
		if err != nil {
			return err
		}
		if len(l) == 0 {
			return nil
		}
		if !bytes.HasPrefix(l, []byte("obj ")) {
			return d.badLine("no obj")
		}
		t.Objs = append(t.Objs, DumpObj{Line: d.line})
		d.objAt = append(d.objAt, objSpans{})
		o, at := &t.Objs[len(t.Objs)-1], &d.objAt[len(d.objAt)-1]
		if err := d.parseObjLine(l, o, at); err != nil {
			return err
		}
		if o.Kind == DumpData && !o.HashOnly {
			if at.data, err = d.readData(o, at.hash); err != nil {
				return err
			}
		}
	}
}

// parseObjLine parses an obj line. Unlike zodbtools, which matches only
// the start of the line, nothing may follow the entry.
func (d *DumpReader) parseObjLine(l []byte, o *DumpObj, at *objSpans) error {
	rest := l[len("obj "):]
	oid, ok := parseHex16(rest)
	if !ok || len(rest) < 17 || rest[16] != ' ' {
		return d.badLine("invalid obj entry")
	}
	o.Oid = zodb.Oid(oid)
	rest = rest[17:]
	if string(rest) == "delete" {
		o.Kind = DumpDelete
		return nil
	}
	if from, ok := bytes.CutPrefix(rest, []byte("from ")); ok {
		tid, ok := parseHex16(from)
		if !ok || len(from) != 16 {
			return d.badLine("invalid obj entry")
		}
		o.Kind, o.CopyFrom = DumpCopy, zodb.Tid(tid)
		return nil
	}
	return d.parseObjHash(rest, o, at)
}

// parseObjHash parses `<size> <hashfunc>:<hash>[ -]`.
func (d *DumpReader) parseObjHash(rest []byte, o *DumpObj, at *objSpans) error {
	sizeText, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok || len(sizeText) == 0 || !allBytes(sizeText, isDigit) {
		return d.badLine("invalid obj entry")
	}
	size, err := strconv.ParseInt(string(sizeText), 10, 64)
	if err != nil || size == 1<<63-1 {
		return d.badLine("invalid obj entry: size out of range")
	}
	rest, o.HashOnly = bytes.CutSuffix(rest, []byte(" -"))
	fn, hexHash, ok := bytes.Cut(rest, []byte{':'})
	if !ok || len(fn) == 0 || !allBytes(fn, isWord) || len(hexHash) == 0 || !allBytes(hexHash, isLowerHex) {
		return d.badLine("invalid obj entry")
	}
	h := dumpHashes[string(fn)]
	if h == nil {
		return d.badLine("unknown hash function %s", Quote(fn))
	}
	if len(hexHash) != 2*h.size {
		return d.badLine("%s hash has %d hex digits, want %d", fn, len(hexHash), 2*h.size)
	}
	o.Kind, o.Size, o.HashFunc = DumpData, size, h.name
	off := len(d.arena)
	d.arena, _ = hex.AppendDecode(d.arena, hexHash) // checked above
	at.hash = span{off, h.size}
	return nil
}

// readData reads the data following an obj line into the arena, and
// checks its LF and its hash, at hashAt in the arena.
func (d *DumpReader) readData(o *DumpObj, hashAt span) (span, error) {
	off := len(d.arena)
	for done := int64(0); done < o.Size+1; { // data, then LF
		n := int(min(o.Size+1-done, dataChunkLen))
		start := len(d.arena)
		d.arena = slices.Grow(d.arena, n)[:start+n]
		got, err := io.ReadFull(d.r, d.arena[start:])
		d.offset += int64(got)
		d.line += bytes.Count(d.arena[start:start+got], []byte{'\n'})
		done += int64(got)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return span{}, &DumpError{Name: d.name, Line: d.line, Err: fmt.Errorf(
				"unexpected end of dump in data of obj %s: %d bytes of %d and a LF", o.Oid, done, o.Size)}
		}
		if err != nil {
			return span{}, err
		}
	}
	d.text = nil
	data := d.arena[off : len(d.arena)-1]
	if d.arena[len(d.arena)-1] != '\n' {
		return span{}, &DumpError{Name: d.name, Line: d.line, Err: fmt.Errorf(
			"no LF after obj data: obj %s is not %d bytes long", o.Oid, o.Size)}
	}
	h := d.hasher(o.HashFunc)
	h.Write(data)
	d.sum = h.Sum(d.sum[:0])
	if sum, want := d.sum, d.bytesAt(hashAt); !bytes.Equal(sum, want) {
		return span{}, &DumpError{Name: d.name, Line: d.line, Err: fmt.Errorf(
			"data corrupt: obj %s: %s = %x, expected %x", o.Oid, o.HashFunc, sum, want)}
	}
	d.arena = d.arena[:len(d.arena)-1] // the LF
	return span{off, len(data)}, nil
}

// hasher returns the reader's hash of a function, reset.
func (d *DumpReader) hasher(name string) hash.Hash {
	h := d.hashers[name]
	if h == nil {
		if d.hashers == nil {
			d.hashers = map[string]hash.Hash{}
		}
		h = dumpHashes[name].new()
		d.hashers[name] = h
	}
	h.Reset()
	return h
}

// parseHex16 parses the 16 lower-case hex digits b starts with.
func parseHex16(b []byte) (uint64, bool) {
	if len(b) < 16 {
		return 0, false
	}
	var v uint64
	for _, c := range b[:16] {
		x, ok := unhex(c)
		if !ok || c >= 'A' && c <= 'F' {
			return 0, false
		}
		v = v<<4 | uint64(x)
	}
	return v, true
}

func allBytes(b []byte, f func(byte) bool) bool {
	for _, c := range b {
		if !f(c) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isLowerHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' }

// isWord is Python's \w on bytes.
func isWord(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
