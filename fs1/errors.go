package fs1

import (
	"errors"
	"fmt"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// RecordError is an error about the record at a position of a file:
//
//	fs1: data.fs: record @1234: invalid status 'x'
//
// Format violations wrap zodb.ErrCorrupt; a record cut by the end of the
// file (a torn tail) wraps io.ErrUnexpectedEOF (see IsTorn); I/O errors
// wrap the operating system's error.
type RecordError struct {
	Path string
	Pos  int64
	Err  error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("fs1: %s: record @%d: %s", e.Path, e.Pos, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// IsTorn reports whether err says that a record is cut by the end of the
// file: what a crash in the middle of a commit leaves behind, and where
// Python's FileStorage stops reading.
func IsTorn(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }

// corruptError is a format violation: its message stays clean while
// errors.Is(err, zodb.ErrCorrupt) holds.
type corruptError struct{ msg string }

func (e *corruptError) Error() string        { return e.msg }
func (e *corruptError) Is(target error) bool { return target == zodb.ErrCorrupt }

func corruptf(format string, args ...any) error {
	return &corruptError{fmt.Sprintf(format, args...)}
}

// tornf says that a record runs past the end of the file.
func tornf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, io.ErrUnexpectedEOF)...)
}

func (f *File) recErr(pos int64, err error) error {
	return &RecordError{Path: f.path, Pos: pos, Err: err}
}
