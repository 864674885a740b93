package pickledis

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// testdata is the project's fixture directory (zodb/pickledis → repo root).
const testdata = "../../testdata"

// golden is one pair of zodbdump outputs of the same database: the raw
// dump, holding every record's data and extension, and the zpickledis one.
type golden struct {
	raw, zpickledis string
	py2             bool // written by zodbtools under Python 2: normalise first
}

func goldens(t testing.TB) []golden {
	var gv []golden
	fs1, err := filepath.Glob(filepath.Join(testdata, "fs1/*/*.zdump.raw"))
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range fs1 {
		gv = append(gv, golden{raw: raw, zpickledis: strings.TrimSuffix(raw, ".raw") + ".zpickledis"})
	}
	zt, err := filepath.Glob(filepath.Join(testdata, "zodbtools/*/*/zdump.raw.ok"))
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range zt {
		dir := filepath.Dir(raw)
		gv = append(gv, golden{raw: raw, zpickledis: filepath.Join(dir, "zdump.zpickledis.ok"),
			py2: strings.HasPrefix(filepath.Base(dir), "py2_")})
	}
	if len(gv) < 15 {
		t.Fatalf("found only %d golden dumps under %s", len(gv), testdata)
	}
	return gv
}

var objDataRe = regexp.MustCompile(`^obj [0-9a-f]{16} ([0-9]+) sha1:[0-9a-f]{40}$`)

// dumpItem is one line of a raw zodbdump with, for an extension line, the
// extension and, for an object line with data, the data that follows it.
type dumpItem struct {
	line    []byte // with its newline
	ext     []byte
	isExt   bool
	data    []byte
	hasData bool
}

// parseRawDump splits a raw zodbdump into its lines, taking each object's
// data and decoding each extension.
func parseRawDump(raw []byte) ([]dumpItem, error) {
	var items []dumpItem
	r := bufio.NewReader(bytes.NewReader(raw))
	for lineno := 1; ; lineno++ {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			return items, nil
		}
		it := dumpItem{line: line}
		text := strings.TrimSuffix(string(line), "\n")
		if q, ok := strings.CutPrefix(text, "extension "); ok {
			if it.ext, err = unquoteDump(q); err != nil {
				return nil, fmt.Errorf("line %d: %w", lineno, err)
			}
			it.isExt = true
		} else if m := objDataRe.FindStringSubmatch(text); m != nil {
			size, _ := strconv.Atoi(m[1])
			data := make([]byte, size+1) // the data and its closing newline
			if _, err := io.ReadFull(r, data); err != nil || data[size] != '\n' {
				return nil, fmt.Errorf("line %d: object data not followed by a newline", lineno)
			}
			it.data, it.hasData = data[:size], true
		}
		items = append(items, it)
	}
}

// rebuildZpickledis turns a raw zodbdump into its zpickledis form: the
// extension line and each object's data are replaced by DumpExtension's and
// DumpObject's output; every other line (txn, user, description, obj
// delete/from, the blank lines, a torn dump's "!!! EXCEPTION" line) stays.
func rebuildZpickledis(raw []byte) ([]byte, error) {
	items, err := parseRawDump(raw)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, it := range items {
		switch {
		case it.isExt:
			err = DumpExtension(&out, it.ext)
		case it.hasData:
			out.Write(it.line)
			err = DumpObject(&out, it.data)
			out.WriteByte('\n')
		default:
			out.Write(it.line)
		}
		if err != nil {
			return nil, fmt.Errorf("%q: %w", it.line, err)
		}
	}
	return out.Bytes(), nil
}

// unquoteDump undoes zodbdump's quoting of the extension: "..." with \\,
// \", \t, \n, \r and \xNN escapes; every other byte stands for itself.
func unquoteDump(q string) ([]byte, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return nil, fmt.Errorf("unquote %s: no quotes", q)
	}
	q = q[1 : len(q)-1]
	var b []byte
	for i := 0; i < len(q); i++ {
		if q[i] != '\\' {
			b = append(b, q[i])
			continue
		}
		if i+1 >= len(q) {
			return nil, fmt.Errorf("unquote: trailing backslash")
		}
		i++
		switch q[i] {
		case '\\', '"':
			b = append(b, q[i])
		case 't':
			b = append(b, '\t')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 'x':
			if i+3 > len(q) {
				return nil, fmt.Errorf("unquote: short \\x")
			}
			v, err := strconv.ParseUint(q[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("unquote: %w", err)
			}
			b = append(b, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf("unquote: unknown escape \\%c", q[i])
		}
	}
	return b, nil
}

func TestGolden(t *testing.T) {
	for _, g := range goldens(t) {
		name, _ := filepath.Rel(testdata, g.zpickledis)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(g.raw)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(g.zpickledis)
			if err != nil {
				t.Fatal(err)
			}
			if g.py2 {
				want = NormalizePy2(want)
			}
			got, err := rebuildZpickledis(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s at %s", g.zpickledis, firstDiff(got, want))
			}
		})
	}
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	line := bytes.Count(want[:i], []byte("\n")) + 1
	lo := max(0, i-80)
	return fmt.Sprintf("byte %d (line %d):\n got: %q\nwant: %q", i, line,
		got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
}
