package pickledis

import (
	"github.com/zodbneo/zodbneo/internal/pyquote"

	"io"
)

// recordIndent is the prefix zodbdump puts before every line of a
// disassembly.
const recordIndent = "  "

// DumpObject writes what `zodb dump --pretty=zpickledis` prints for an
// object record's data, after its "obj <oid> <size> sha1:<hash>" line: the
// disassembly of the class pickle and then of the state pickle (one memo
// for both, positions counted from the record's start), every line
// indented by two blanks, and a "  + extra data "..."" line when bytes
// follow the second pickle.
//
// When the data is not two pickles that pickletools accepts, zodbdump
// stops with pickletools' exception and prints nothing for the record:
// DumpObject then writes nothing and returns the *Error (or ErrTooLong).
func DumpObject(w io.Writer, data []byte) error {
	memo := &Memo{}
	out := make([]byte, 0, outputSizeHint(len(data)))
	out, n1, err := disAppend(out, data, Options{Memo: memo}, recordIndent)
	if err != nil {
		return err
	}
	out, n2, err := disAppend(out, data[n1:], Options{Memo: memo, Offset: n1}, recordIndent)
	if err != nil {
		return err
	}
	_, err = w.Write(appendExtra(out, data[n1+n2:]))
	return err
}

// DumpExtension writes the lines `zodb dump --pretty=zpickledis` prints for
// a transaction's raw extension: `extension ""` when it is empty, else an
// "extension" line, the indented disassembly of its pickle and a
// "  + extra data" line for bytes after the pickle.
//
// When the extension is not a pickle that pickletools accepts, zodbdump
// stops with pickletools' exception after its "extension" line: so does
// DumpExtension, which returns the *Error.
func DumpExtension(w io.Writer, ext []byte) error {
	if len(ext) == 0 {
		_, err := io.WriteString(w, "extension \"\"\n")
		return err
	}
	out := make([]byte, 0, outputSizeHint(len(ext)))
	out = append(out, "extension\n"...)
	out, n, err := disAppend(out, ext, Options{}, recordIndent)
	if err != nil {
		if _, werr := w.Write([]byte("extension\n")); werr != nil {
			return werr
		}
		return err
	}
	_, err = w.Write(appendExtra(out, ext[n:]))
	return err
}

// appendExtra adds the line that shows the bytes after the pickles.
func appendExtra(out, extra []byte) []byte {
	if len(extra) == 0 {
		return out
	}
	out = append(out, recordIndent+"+ extra data "...)
	out = pyquote.AppendQQ(out, extra)
	return append(out, '\n')
}
