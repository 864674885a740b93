package fs1tools

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/zodbneo/zodbneo/fs1/fsindex"
	"github.com/zodbneo/zodbneo/zodb"
)

// DumpIndex writes the index saved at path (a data.fs.index) to w as
// text:
//
//	pos 29740
//	0000000000000000 25098
//	0000000000000001 21276
//	...
//
// The first line is the file position the index covers up to; then one
// line per object, ascending by oid: the oid in 16 hex digits and the
// position of its current data record, in decimal. NEO/go's `fs1 dump-fsi`
// could not be consulted for its exact format; this one is meant to be
// read by people and by awk alike.
//
// Errors are fsindex's for an unreadable or corrupt index (wrapping
// zodb.ErrCorrupt) and errors writing to w.
func DumpIndex(w io.Writer, path string) error {
	x, err := fsindex.LoadFile(path)
	if err != nil {
		return err
	}
	return WriteIndex(w, x)
}

// WriteIndex writes x to w in DumpIndex's format.
func WriteIndex(w io.Writer, x *fsindex.Index) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	b := strconv.AppendInt([]byte("pos "), x.TopPos, 10)
	b = append(b, '\n')
	bw.Write(b)
	x.Each(func(oid zodb.Oid, pos int64) bool {
		b = append(b[:0], oid.String()...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, pos, 10)
		b = append(b, '\n')
		_, err := bw.Write(b)
		return err == nil
	})
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("fs1tools: dump-fsi: %w", err)
	}
	return nil
}
