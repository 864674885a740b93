package fsindex

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// testdataIndexes returns every data.fs.index Python wrote in testdata.
func testdataIndexes(t testing.TB) []string {
	t.Helper()
	a, err := filepath.Glob("../../testdata/fs1/*/*.fs.index")
	if err != nil {
		t.Fatal(err)
	}
	b, err := filepath.Glob("../../testdata/zodbtools/*/*/data.fs.index")
	if err != nil {
		t.Fatal(err)
	}
	all := append(a, b...)
	if len(all) < 12 {
		t.Fatalf("only %d index files in testdata", len(all))
	}
	return all
}

// TestRoundTrip loads every index Python wrote and saves it again.
//
// Files written by Python 3 ZODB come back byte for byte. Files written by
// Python 2 ZODB (the zodbtools py2_* databases) differ, as Python 3 ZODB's
// own save of them would: Python 2 pickled the prefixes and bucket strings
// as str (SHORT_BINSTRING 'U'), with its protocol 1 (no PROTO header), 2 or
// 3, where Python 3 pickles bytes (SHORT_BINBYTES 'C') with protocol 3. For
// those the test checks that the saved file loads back equal instead.
func TestRoundTrip(t *testing.T) {
	for _, path := range testdataIndexes(t) {
		x, err := LoadFile(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		var buf bytes.Buffer
		if err := x.Save(&buf); err != nil {
			t.Errorf("%s: save: %v", path, err)
			continue
		}
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(path, "/py2_") {
			if bytes.Equal(buf.Bytes(), golden) {
				t.Errorf("%s: py2 file saved identically; expected py3 bytes opcodes", path)
			}
			y, err := Load(&buf)
			if err != nil {
				t.Errorf("%s: reload: %v", path, err)
			} else if !x.Equal(y) {
				t.Errorf("%s: reloaded index differs", path)
			}
			continue
		}
		if !bytes.Equal(buf.Bytes(), golden) {
			t.Errorf("%s: saved bytes differ from Python's\nhave %x\nwant %x", path, buf.Bytes(), golden)
		}
	}
}

// TestLoadSmall checks a few entries of small.fs.index against what
// pickletools shows of it.
func TestLoadSmall(t *testing.T) {
	x, err := LoadFile("../../testdata/fs1/small/small.fs.index")
	if err != nil {
		t.Fatal(err)
	}
	if x.TopPos != 29740 || x.Len() != 36 {
		t.Fatalf("pos %d len %d, want 29740 36", x.TopPos, x.Len())
	}
	for oid, want := range map[zodb.Oid]int64{0: 0x620a, 1: 0x531c, 0x23: 0x6eac} {
		if pos, ok := x.Get(oid); !ok || pos != want {
			t.Errorf("Get(%s) = %#x %v, want %#x", oid, pos, ok, want)
		}
	}
	if _, ok := x.Get(0x24); ok {
		t.Errorf("Get(0x24) found")
	}
}

// Old-form files, made with Python 3.11's pickle and stand-in classes of the
// same module and name as ZODB's (no ZODB needed); the py2 ones through a
// Pickler subclass that writes bytes and str as Python 2 wrote str
// (SHORT_BINSTRING). All hold oids 0→4, 7→0x1234, 0x10002→0x7fffffff01,
// 0xffff0001→99.
var oldForms = []struct {
	name string
	pos  int64
	hex  string
}{
	// {'pos': ..., 'index': fsIndex} with fsIndex's state_version 1 state,
	// protocol 3: what Python 3 FileStorage writes when it converts an old
	// index.
	{"v1-protocol3", 0x123456789a, "80037d7100285803000000706f7371018a059a785634125805000000696e6465787102635a4f44422e6673496e6465780a6673496e6465780a7103298171047d710528580d00000073746174655f76657273696f6e71064b0158050000005f6461746171075d71082843060000000000007109431000000007000000000004000000001234710a86710b4306000000000001710c43080002007fffffff01710d86710e430600000000ffff710f430800010000000000637110867111657562752e"},
	// py2 protocol 1, fsIndex state {'_data': OOBTree} whose OOBTree has
	// two OOBucket children and whose values are fsBTrees with one inlined
	// bucket each, as ZODB 3.8 wrote it.
	{"v0-py2-protocol1", 5000, "7d7100285503706f7371014d88135505696e646578710263636f70795f7265670a5f7265636f6e7374727563746f720a710328635a4f44422e6673496e6465780a6673496e6465780a7104635f5f6275696c74696e5f5f0a6f626a6563740a71054e7471065271077d710855055f64617461710963636f70795f7265670a5f5f6e65776f626a5f5f0a710a28634254726565732e4f4f42547265650a4f4f42547265650a710b74710c52710d2828680a28634254726565732e4f4f42547265650a4f4f4275636b65740a710e74710f527110282855060000000000007111680a28634254726565732e5f667342547265650a667342547265650a7112747113527114282828550200007115550600000000000471165502000771175506000000001234711874711974711a74711b6274711c680a28680e74711d52711e28285506000000000001711f680a2868127471205271212828285502000271225506007fffffff01712374712474712574712662550600000000ffff7127680a28681274712852712928282855020001712a5506000000000063712b74712c74712d74712e6274712f7471306274713162681f681e7471326810747133627362752e"},
	// py2 protocol 2, index a plain dict oid → pos.
	{"dict-py2-protocol2", 70000, "80027d7100285503706f7371014a701101005505696e64657871027d7103285508000000000000000071044b045508000000000000000771054d34125508000000000001000271068a0501ffffff7f550800000000ffff000171074b6375752e"},
}

func TestLoadOldForms(t *testing.T) {
	want := map[zodb.Oid]int64{0: 4, 7: 0x1234, 0x10002: 0x7fffffff01, 0xffff0001: 99}
	for _, tt := range oldForms {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.hex)
			x, err := Load(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if x.TopPos != tt.pos || x.Len() != len(want) {
				t.Fatalf("pos %d len %d, want %d %d", x.TopPos, x.Len(), tt.pos, len(want))
			}
			for oid, pos := range want {
				if got, ok := x.Get(oid); !ok || got != pos {
					t.Errorf("Get(%s) = %#x %v, want %#x", oid, got, ok, pos)
				}
			}
		})
	}
}

// TestSaveInt checks integer encodings against Python's pickle.dumps(n, 3).
func TestSaveInt(t *testing.T) {
	for n, want := range map[int64]string{
		0:          "80034b002e",
		255:        "80034bff2e",
		256:        "80034d00012e",
		65535:      "80034dffff2e",
		65536:      "80034a000001002e",
		1<<31 - 1:  "80034affffff7f2e",
		1 << 31:    "80038a0500000080002e",
		1 << 40:    "80038a060000000000012e",
		1 << 47:    "80038a07000000000080002e",
		1<<48 - 1:  "80038a07ffffffffffff002e",
		-1:         "80034affffffff2e",
		-(1 << 31): "80034a000000802e",
	} {
		var buf bytes.Buffer
		p := pickler{w: bufio.NewWriter(&buf)}
		p.begin()
		p.int(n)
		p.end()
		p.w.Flush()
		if got := hex.EncodeToString(buf.Bytes()); got != want {
			t.Errorf("int(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestSaveOutOfRange(t *testing.T) {
	for _, tt := range []struct {
		top, pos int64
	}{{-1, 0}, {1 << 48, 0}, {100, -5}, {100, 1 << 48}} {
		x := New()
		x.TopPos = tt.top
		x.Set(1, tt.pos)
		if err := x.Save(&bytes.Buffer{}); err == nil || !strings.HasPrefix(err.Error(), "fsindex: ") {
			t.Errorf("top %d pos %d: err %v", tt.top, tt.pos, err)
		}
	}
}

func TestLoadLargeBucket(t *testing.T) {
	// 70000 oids with one prefix: the bucket string is over 256 bytes
	// (BINBYTES) and the prefix splits at 65536.
	x := New()
	x.TopPos = 1 << 40
	for i := 0; i < 70000; i++ {
		x.Set(zodb.Oid(i), int64(i)*8+4)
	}
	var buf bytes.Buffer
	if err := x.Save(&buf); err != nil {
		t.Fatal(err)
	}
	y, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Equal(y) {
		t.Fatal("reloaded index differs")
	}
}

func TestSaveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.fs.index")
	if err := os.WriteFile(path, []byte("old"), 0o666); err != nil {
		t.Fatal(err)
	}
	x, err := LoadFile("../../testdata/fs1/small/small.fs.index")
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile("../../testdata/fs1/small/small.fs.index")
	if !bytes.Equal(got, want) {
		t.Errorf("SaveFile wrote other bytes")
	}
	if _, err := os.Stat(path + ".index_tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}

	// A failed save leaves the old file and no temporary one.
	x.Set(99, -1)
	if err := x.SaveFile(path); err == nil || !strings.HasPrefix(err.Error(), "fsindex: "+path+": ") {
		t.Errorf("bad save: err %v", err)
	}
	if got2, _ := os.ReadFile(path); !bytes.Equal(got2, want) {
		t.Errorf("failed save changed the file")
	}
	if _, err := os.Stat(path + ".index_tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left after failure: %v", err)
	}
	if err := x.SaveFile(filepath.Join(dir, "nodir", "x.index")); err == nil {
		t.Errorf("save into a missing directory succeeded")
	}
}

func TestEachEqual(t *testing.T) {
	x, y := New(), New()
	if !x.Equal(y) {
		t.Error("empty indexes differ")
	}
	for _, oid := range []zodb.Oid{5, 1, 0x10000, 3} {
		x.Set(oid, int64(oid)+1)
	}
	var seen []zodb.Oid
	x.Each(func(oid zodb.Oid, pos int64) bool {
		seen = append(seen, oid)
		return len(seen) < 3
	})
	if len(seen) != 3 || seen[0] != 1 || seen[1] != 3 || seen[2] != 5 {
		t.Errorf("Each saw %v", seen)
	}
	if x.Equal(y) || y.Equal(x) {
		t.Error("different indexes equal")
	}
	x.Each(func(oid zodb.Oid, pos int64) bool { y.Set(oid, pos); return true })
	if !x.Equal(y) {
		t.Error("copied index differs")
	}
	y.Set(3, 0)
	if x.Equal(y) {
		t.Error("index with another pos equal")
	}
	y.Set(3, 4)
	y.TopPos = 1
	if x.Equal(y) {
		t.Error("index with another TopPos equal")
	}
}

// TestLoadCorrupt feeds files that are not indexes: each must fail with
// zodb.ErrCorrupt, never panic.
func TestLoadCorrupt(t *testing.T) {
	small, err := os.ReadFile("../../testdata/fs1/small/small.fs.index")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"empty":           "",
		"garbage":         "hello world",
		"list":            "\x80\x03]q\x00.",
		"no None":         "\x80\x03K\x04.",
		"bad tuple":       "\x80\x03K\x04.\x80\x03K\x01.",
		"short prefix":    "\x80\x03K\x04.\x80\x03C\x02ab C\x00\x86.\x80\x03N.",
		"bucket len":      "\x80\x03K\x04.\x80\x03C\x06abcdefC\x03xyz\x86.\x80\x03N.",
		"negative pos":    "\x80\x03J\xff\xff\xff\xff.\x80\x03N.",
		"huge long":       "\x80\x03\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09.",
		"huge length":     "\x80\x03B\xff\xff\xff\x7f",
		"stack underflow": "\x80\x03\x86.",
		"unknown opcode":  "\x80\x03\xff.",
		"old no pos":      "\x80\x03}.",
		"old foreign":     "\x80\x03}(X\x03\x00\x00\x00posK\x05X\x05\x00\x00\x00indexK\x01u.",
		"memo miss":       "\x80\x03h\x05.",
		"two on stop":     "\x80\x03K\x01K\x02.",
	}
	for i := 0; i < len(small)-1; i++ {
		cases[fmt.Sprintf("small truncated at %d", i)] = string(small[:i])
	}
	for name, data := range cases {
		_, err := Load(strings.NewReader(data))
		if err == nil {
			t.Errorf("%s: loaded", name)
			continue
		}
		if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "fsindex: ") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	_, err := LoadFile("/nonexistent/data.fs.index")
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "fsindex: ") {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "bad.index")
	os.WriteFile(path, []byte("\x80\x03K"), 0o666)
	_, err = LoadFile(path)
	if err == nil || !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "fsindex: "+path+": ") {
		t.Errorf("torn file: %v", err)
	}
}
