package fs1

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// testFile is a FileStorage of testdata with the golden outputs the
// Python tools made from it.
type testFile struct {
	path    string // the data file
	dump    string // zodb dump (raw) golden
	info    string // zodb info golden, "" for zodbtools' files
	objects string // *.objects.json, "" when there is none
	index   string // the index Python saved, "" when there is none
}

// testFiles lists every FileStorage in testdata.
func testFiles(t testing.TB) []testFile {
	t.Helper()
	var files []testFile
	fs1, _ := filepath.Glob("../testdata/fs1/*/*.fs")
	for _, p := range fs1 {
		base := strings.TrimSuffix(p, ".fs")
		tf := testFile{path: p, dump: base + ".zdump.raw", info: base + ".zinfo"}
		if isJSONObjects(base + ".objects.json") {
			tf.objects = base + ".objects.json"
		}
		files = append(files, withIndex(tf))
	}
	zt, _ := filepath.Glob("../testdata/zodbtools/*/*/data.fs")
	for _, p := range zt {
		files = append(files, withIndex(testFile{path: p, dump: filepath.Join(filepath.Dir(p), "zdump.raw.ok")}))
	}
	if len(files) < 15 {
		t.Fatalf("testdata: found only %d FileStorages", len(files))
	}
	return files
}

func withIndex(tf testFile) testFile {
	if _, err := os.Stat(tf.path + ".index"); err == nil {
		tf.index = tf.path + ".index"
	}
	return tf
}

// isJSONObjects tells a real objects.json from the trace of a Python tool
// that failed on a torn file.
func isJSONObjects(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.HasPrefix(b, []byte("{"))
}

// dumpTxn is one transaction of a zodb dump golden.
type dumpTxn struct {
	tid                    zodb.Tid
	status                 byte
	user, descr, extension []byte
	objs                   []dumpObj
}

type dumpObj struct {
	oid  zodb.Oid
	kind string // "data", "delete" or "from"
	from zodb.Tid
	data []byte
}

func (o dumpObj) String() string {
	return fmt.Sprintf("%s %s %s %d sha1-less %q", o.oid, o.kind, o.from, len(o.data), o.data)
}

// parseDump reads a zodb dump golden (zodbtools' format, raw data) and
// returns its transactions and, when the Python tool failed, its message.
func parseDump(t testing.TB, path string) (txns []dumpTxn, exception string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &dumpParser{t: t, b: b, path: path}
	for len(p.b) > 0 {
		line := p.line()
		if msg, ok := strings.CutPrefix(line, "!!! EXCEPTION: "); ok {
			return txns, msg
		}
		txns = append(txns, p.txn(line))
	}
	return txns, ""
}

type dumpParser struct {
	t    testing.TB
	b    []byte
	path string
}

func (p *dumpParser) line() string {
	i := bytes.IndexByte(p.b, '\n')
	if i < 0 {
		p.t.Fatalf("%s: no newline at the end", p.path)
	}
	l := string(p.b[:i])
	p.b = p.b[i+1:]
	return l
}

func (p *dumpParser) txn(head string) dumpTxn {
	rest, ok := strings.CutPrefix(head, "txn ")
	if !ok || len(rest) < 16+4 {
		p.t.Fatalf("%s: bad txn line %q", p.path, head)
	}
	txn := dumpTxn{tid: p.tid(rest[:16]), status: unquote(p.t, rest[17:])[0]}
	txn.user = p.field("user")
	txn.descr = p.field("description")
	txn.extension = p.field("extension")
	for {
		l := p.line()
		if l == "" {
			return txn
		}
		txn.objs = append(txn.objs, p.obj(l))
	}
}

func (p *dumpParser) field(name string) []byte {
	l := p.line()
	v, ok := strings.CutPrefix(l, name+" ")
	if !ok {
		p.t.Fatalf("%s: want %s, have %q", p.path, name, l)
	}
	return unquote(p.t, v)
}

func (p *dumpParser) obj(l string) dumpObj {
	f := strings.Fields(l)
	if len(f) < 3 || f[0] != "obj" {
		p.t.Fatalf("%s: bad obj line %q", p.path, l)
	}
	oid, err := zodb.ParseOid(f[1])
	if err != nil {
		p.t.Fatal(err)
	}
	switch {
	case f[2] == "delete":
		return dumpObj{oid: oid, kind: "delete"}
	case f[2] == "from":
		return dumpObj{oid: oid, kind: "from", from: p.tid(f[3])}
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || len(p.b) < n+1 || p.b[n] != '\n' {
		p.t.Fatalf("%s: bad data for %q", p.path, l)
	}
	data := p.b[:n]
	p.b = p.b[n+1:]
	return dumpObj{oid: oid, kind: "data", data: data}
}

func (p *dumpParser) tid(s string) zodb.Tid {
	tid, err := zodb.ParseTid(s)
	if err != nil {
		p.t.Fatal(err)
	}
	return tid
}

// unquote undoes zodbtools' quoting: "..." with \\ \" \t \n \r \xNN.
func unquote(t testing.TB, s string) []byte {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		t.Fatalf("not quoted: %q", s)
	}
	s = s[1 : len(s)-1]
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'x':
			b, err := hex.DecodeString(s[i+1 : i+3])
			if err != nil {
				t.Fatalf("bad escape in %q", s)
			}
			out = append(out, b...)
			i += 2
		default:
			out = append(out, s[i])
		}
	}
	return out
}

// sortObjs puts records in zodbtools' order: by oid, stable.
func sortObjs(objs []dumpObj) {
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].oid < objs[j].oid })
}

// objectsJSON is *.objects.json: what Python's FileStorage says of every
// object of a file.
type objectsJSON struct {
	Head    string                `json:"head"`
	Size    int64                 `json:"size"`
	NTxn    int                   `json:"ntxn"`
	NRec    int                   `json:"nrecords"`
	NOids   int                   `json:"noids_in_index"`
	Objects map[string]objectJSON `json:"objects"`
}

type objectJSON struct {
	Revisions   []string `json:"revisions"`
	Records     [][]any  `json:"records"`
	Deleted     bool     `json:"deleted"`
	CurrentTid  *string  `json:"current_tid"`
	CurrentSha1 *string  `json:"current_sha1"`
}

func readObjects(t testing.TB, path string) *objectsJSON {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var o objectsJSON
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &o
}

// readInfo reads a zodb info golden into its name=value pairs.
func readInfo(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}
