package fs1tools

import (
	"bufio"
	"crypto/sha1"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/zodbneo/zodbneo/fs1"
)

// Tail writes to w what Python's fstail prints for the last n transactions
// of the FileStorage at path, newest first: time and sha1 of the
// transaction's data records (raw, headers included), metadata, length,
// position and header length, then an empty line.
//
// A file that does not end with a complete transaction (a torn tail) gets
// the *fs1.RecordError of the torn record, found by reading the file
// forward, and no output: fstail reads the file from its end and fails on
// such a file before printing anything. A file with no transaction prints
// nothing.
func Tail(w io.Writer, path string, n int) (err error) {
	if n < 0 {
		return fmt.Errorf("fs1tools: tail: negative number of transactions %d", n)
	}
	f, err := fs1.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fs1tools: %w", err)
	}
	defer raw.Close()
	bw := bufio.NewWriter(w)
	defer func() {
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("fs1tools: tail: %w", ferr)
		}
	}()
	if f.Size() <= fs1.FileHeaderLen {
		return nil
	}
	it := f.Iter(f.Size(), fs1.Backward)
	var line []byte
	for i := 0; i < n; i++ {
		h, err := it.NextTxn()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if i == 0 {
				return tornTail(f, err)
			}
			return err
		}
		sum, err := hashData(raw, h)
		if err != nil {
			return &fs1.RecordError{Path: path, Pos: h.Pos, Err: err}
		}
		line = appendTailEntry(line[:0], h, sum)
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("fs1tools: tail: %w", err)
		}
	}
	return nil
}

// appendTailEntry formats one transaction as fstail does.
func appendTailEntry(b []byte, h *fs1.TxnHeader, sum []byte) []byte {
	b = append(b, h.Tid.TimeString()...)
	b = fmt.Appendf(b, ": hash=%x\nuser=", sum)
	// fstail's TxnHeader.read_meta leaves user and description as ""
	// unless the transaction has some metadata; then each is the bytes
	// read when its length is non-zero, and "" otherwise.
	b = appendMetaRepr(b, h.User)
	b = append(b, " description="...)
	b = appendMetaRepr(b, h.Description)
	b = append(b, " length="...)
	b = strconv.AppendInt(b, h.Len, 10)
	b = append(b, " offset="...)
	b = strconv.AppendInt(b, h.Pos, 10)
	b = append(b, " (+"...)
	b = strconv.AppendInt(b, h.HeaderLen(), 10)
	return append(b, ")\n\n"...)
}

// hashData returns the sha1 of the transaction's data records as they lie
// in the file.
func hashData(raw io.ReaderAt, h *fs1.TxnHeader) ([]byte, error) {
	s := sha1.New()
	n := h.DataEnd() - h.DataPos()
	if _, err := io.Copy(s, io.NewSectionReader(raw, h.DataPos(), n)); err != nil {
		return nil, err
	}
	return s.Sum(nil), nil
}

// tornTail explains why the file's end is not that of a transaction (err,
// from reading backwards): reading forwards finds the record that is torn
// or corrupt. If the forward read finds nothing wrong, err stands.
func tornTail(f *fs1.File, err error) error {
	it := f.Iter(fs1.FileHeaderLen, fs1.Forward)
	for {
		_, ferr := it.NextTxn()
		if ferr == io.EOF {
			return err
		}
		if ferr != nil {
			return ferr
		}
		for {
			_, derr := it.NextData()
			if derr == io.EOF {
				break
			}
			if derr != nil {
				return derr
			}
		}
	}
}
