package zpickle

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

var (
	fsdumpTxn  = regexp.MustCompile(`^Trans #\d+ tid=([0-9a-f]{16}) `)
	fsdumpData = regexp.MustCompile(`^  data #\d+ oid=([0-9a-f]{16})(?: size=(\d+))? class=(.*?)(?: bp=[0-9a-f]{16})?$`)
)

// TestClassOfFsdump checks ClassOf against every "class=" ZODB's fsdump
// printed for the fs1 testdata, on the data of the same record.
func TestClassOfFsdump(t *testing.T) {
	dumps, _ := filepath.Glob(filepath.Join(testdata, "fs1/*/*.fsdump"))
	checked := 0
	for _, fsdump := range dumps {
		raw := strings.TrimSuffix(fsdump, ".fsdump") + ".zdump.raw"
		type xid struct {
			tid zodb.Tid
			oid zodb.Oid
		}
		data := map[xid][]byte{}
		for _, r := range loadDump(t, raw) {
			data[xid{r.tid, r.oid}] = r.data
		}

		f, err := os.Open(fsdump)
		if err != nil {
			t.Fatal(err)
		}
		var tid zodb.Tid
		s := bufio.NewScanner(f)
		for s.Scan() {
			if m := fsdumpTxn.FindStringSubmatch(s.Text()); m != nil {
				tid = mustTid(t, m[1])
				continue
			}
			m := fsdumpData.FindStringSubmatch(s.Text())
			if m == nil || m[2] == "" { // no data: "undo or abort of object creation"
				continue
			}
			d, ok := data[xid{tid, mustOid(t, m[1])}]
			if !ok {
				t.Errorf("%s: %s: record not in %s", fsdump, s.Text(), raw)
				continue
			}
			mod, name, err := ClassOf(d)
			if err != nil {
				t.Errorf("%s: %s: %v", fsdump, s.Text(), err)
				continue
			}
			if got := mod + "." + name; got != m[3] {
				t.Errorf("%s: %s: ClassOf = %q", fsdump, s.Text(), got)
			}
			checked++
		}
		f.Close()
	}
	if checked < 300 {
		t.Errorf("only %d records checked", checked)
	}
}

// TestClassOfAnalyze checks ClassOf on zodbtools' databases (Python 2
// pickles of protocols 1, 2 and 3, and Python 3) against the classes their
// golden zodb analyze output lists.
func TestClassOfAnalyze(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(testdata, "zodbtools/*/*"))
	for _, dir := range dirs {
		csv, err := os.ReadFile(filepath.Join(dir, "zanalyze.csv.ok"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(string(csv)), "\n")[1:] {
			want[strings.Split(line, ",")[0]] = true
		}
		got := map[string]bool{}
		for _, r := range loadDump(t, filepath.Join(dir, "zdump.raw.ok")) {
			if r.data == nil {
				continue
			}
			mod, name, err := ClassOf(r.data)
			if err != nil {
				t.Fatalf("%s: %s@%s: %v", dir, r.oid, r.tid, err)
			}
			got[mod+"."+name] = true
		}
		if len(got) != len(want) {
			t.Errorf("%s: classes %v, want %v", dir, got, want)
		}
		for c := range want {
			if !got[c] {
				t.Errorf("%s: class %s not found", dir, c)
			}
		}
	}
}

// TestClassOfOdd checks get_pickle_metadata's answers for class pickles
// that do not start with GLOBAL. The expected values are what Python 3.11
// with ZODB 6 returns for the same bytes.
func TestClassOfOdd(t *testing.T) {
	for _, tt := range []struct {
		name       string
		data       string
		mod, class string
		err        bool
	}{
		// pickle.dumps(('mod', 'Name'), 3): a (module, name) pair
		{"pair", "\x80\x03X\x03\x00\x00\x00modq\x00X\x04\x00\x00\x00Nameq\x01\x86q\x02.", "mod", "Name", false},
		// pickle.dumps((('mod', 'Name'), None), 3): format 3
		{"format3", "\x80\x03X\x03\x00\x00\x00modq\x00X\x04\x00\x00\x00Nameq\x01\x86q\x02N\x86q\x03.", "mod", "Name", false},
		// pickle.dumps((collections.OrderedDict, None), 4): STACK_GLOBAL
		{"proto4", "\x80\x04\x95\x22\x00\x00\x00\x00\x00\x00\x00\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94N\x86\x94.",
			"<class 'collections.OrderedDict'>", "None", false},
		// pickle.dumps(42, 3): not a known format
		{"int", "\x80\x03K*.", "42", "", false},
		// pickle.dumps(b'xy', 3)
		{"bytes", "\x80\x03C\x02xyq\x00.", "b'xy'", "", false},
		// a persistent id: a plain Unpickler cannot load it
		{"persid", "\x80\x03C\x08\x00\x00\x00\x00\x00\x00\x00\x01Q.", "", "", false},
		// a non-ASCII Python 2 str: the ASCII decoding fails
		{"py2str", "\x80\x02U\x02\xc3\xa9U\x01x\x86.", "", "", false},
		// garbage: the unpickler fails
		{"garbage", "\x80\x03\xff", "", "", false},
		// just the PROTO byte: data[2:] is empty, EOFError
		{"proto", "\x80", "", "", false},
		// pickle.dumps(('a', 'b', 'c'), 3): too many values to unpack
		{"triple", "\x80\x03X\x01\x00\x00\x00aX\x01\x00\x00\x00bX\x01\x00\x00\x00c\x87.", "", "", true},
		// pickle.dumps(((1, 2, 3), None), 3)
		{"badinner", "\x80\x03K\x01K\x02K\x03\x87N\x86.", "", "", true},
		// an empty record: data[0] raises IndexError
		{"empty", "", "", "", true},
		// GLOBAL with one line only: the split gives 2 parts
		{"oneline", "cmod\nName", "", "", true},
		// GLOBAL whose name is not UTF-8
		{"notutf8", "cmod\n\xff\n.", "", "", true},
		// GLOBAL: the lines are taken as they are, whatever follows
		{"global", "\x80\x02cfoo.bar\nBaz\nq\x01.", "foo.bar", "Baz", false},
		{"markglobal", "(cmod\nName\nq\x01Nt.", "mod", "Name", false},
	} {
		mod, class, err := ClassOf([]byte(tt.data))
		if (err != nil) != tt.err {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "zpickle: ") {
				t.Errorf("%s: error %q not a zpickle corrupt error", tt.name, err)
			}
			continue
		}
		if mod != tt.mod || class != tt.class {
			t.Errorf("%s: ClassOf = %q, %q; want %q, %q", tt.name, mod, class, tt.mod, tt.class)
		}
	}
}

func TestClassOfAllocs(t *testing.T) {
	data := []byte("\x80\x03cpersistent.mapping\nPersistentMapping\nq\x00.\x80\x03}q\x01.")
	ClassOf(data)
	if n := testing.AllocsPerRun(100, func() { ClassOf(data) }); n != 0 {
		t.Errorf("ClassOf allocates %v times per call", n)
	}
}
