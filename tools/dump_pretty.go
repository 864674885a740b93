package tools

import (
	"io"

	"github.com/zodbneo/zodbneo/zodb/pickledis"
)

// disObject writes a record's data as --pretty=zpickledis shows it: its
// two pickles disassembled. Data that is not two pickles is an error, as
// zodbtools stops on it too.
func disObject(w io.Writer, data []byte) error {
	return pickledis.DumpObject(w, data)
}

// disExtension writes the "extension" lines of --pretty=zpickledis for a
// raw transaction extension.
func disExtension(w io.Writer, ext []byte) error {
	return pickledis.DumpExtension(w, ext)
}
