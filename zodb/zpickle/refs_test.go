package zpickle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// objectsJSON is the part of testdata's <name>.objects.json the tests use.
type objectsJSON struct {
	Objects map[string]struct {
		Class      string `json:"class"`
		Deleted    bool   `json:"deleted"`
		CurrentTid string `json:"current_tid"`
	} `json:"objects"`
}

func loadObjects(tb testing.TB, path string) objectsJSON {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var o objectsJSON
	if strings.HasPrefix(string(raw), "!!! EXCEPTION: ") || strings.Contains(string(raw), "\n!!! EXCEPTION: ") {
		return o // the generator failed on a torn file: no objects
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		tb.Fatal(err)
	}
	return o
}

// TestRefsFsrefs redoes what ZODB's fsrefs does with Refs and compares the
// report with the golden one: for every current object, in file order, the
// references to objects that do not exist or whose creation was undone.
// The "last updated" line prints a date, which is not ours to make: only
// its tid is compared.
func TestRefsFsrefs(t *testing.T) {
	goldens, _ := filepath.Glob(filepath.Join(testdata, "fs1/*/*.fsrefs"))
	checked := 0
	for _, golden := range goldens {
		base := strings.TrimSuffix(golden, ".fsrefs")
		objs := loadObjects(t, base+".objects.json")
		if objs.Objects == nil {
			continue // a torn file Python could not read
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, r := range loadDump(t, base+".zdump.raw") {
			o, ok := objs.Objects[r.oid.String()]
			if !ok || o.Deleted || o.CurrentTid != r.tid.String() {
				continue // not a current revision
			}
			refs, err := Refs(r.data)
			if err != nil {
				t.Fatalf("%s: %s: %v", base, r.oid, err)
			}
			checked++
			var missing []string
			for _, ref := range refs {
				ro, ok := objs.Objects[ref.String()]
				switch {
				case !ok:
					missing = append(missing, fmt.Sprintf("\toid %s missing: '<unknown>'\n", oidRepr(ref)))
				case ro.Deleted:
					missing = append(missing, fmt.Sprintf("\toid %s object creation was undone: '<unknown>'\n", oidRepr(ref)))
				}
			}
			if len(missing) == 0 {
				continue
			}
			plural := ""
			if len(missing) > 1 {
				plural = "s"
			}
			fmt.Fprintf(&got, "oid %#x %s\n", uint64(r.oid), o.Class)
			fmt.Fprintf(&got, "last updated: , tid=%#x\n", uint64(r.tid))
			fmt.Fprintf(&got, "refers to invalid object%s:\n%s\n", plural, strings.Join(missing, ""))
		}
		if g, w := got.String(), dropDates(string(want)); g != w {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", golden, g, w)
		}
	}
	if checked < 30 {
		t.Errorf("only %d objects checked", checked)
	}
}

// dropDates removes the date of fsrefs' "last updated: <date>, tid=..." lines.
func dropDates(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "last updated: ") {
			if _, tid, ok := strings.Cut(l, ", tid="); ok {
				lines[i] = "last updated: , tid=" + tid
			}
		}
	}
	return strings.Join(lines, "\n")
}

// oidRepr is ZODB.utils.oid_repr: hex without leading zeros, in whole bytes.
func oidRepr(oid zodb.Oid) string {
	h := strings.TrimLeft(oid.String(), "0")
	if len(h)%2 == 1 {
		h = "0" + h
	}
	if h == "" {
		h = "00"
	}
	return "0x" + h
}

// TestReferencesTestdata checks References against Refs on every record
// of testdata, and that a class a reference carries is the class of the
// object it points to.
func TestReferencesTestdata(t *testing.T) {
	objs := loadObjects(t, filepath.Join(testdata, "fs1/small/small.objects.json"))
	withClass := 0
	for _, path := range allDumps(t) {
		for _, r := range loadDump(t, path) {
			if r.data == nil {
				continue
			}
			refs, err := References(r.data)
			if err != nil {
				t.Fatalf("%s: %s@%s: %v", path, r.oid, r.tid, err)
			}
			oids, err := Refs(r.data)
			if err != nil {
				t.Fatalf("%s: %s@%s: %v", path, r.oid, r.tid, err)
			}
			var strong []zodb.Oid
			for _, ref := range refs {
				if ref.Weak || ref.Database != "" {
					continue
				}
				strong = append(strong, ref.Oid)
				if o, ok := objs.Objects[ref.Oid.String()]; ok && ref.Class != "" && o.Class != "" && strings.Contains(path, "small") {
					withClass++
					if ref.Class != o.Class {
						t.Errorf("%s: %s@%s: reference %v: class is %s", path, r.oid, r.tid, ref, o.Class)
					}
				}
			}
			if !slices.Equal(strong, oids) {
				t.Errorf("%s: %s@%s: References %v, Refs %v", path, r.oid, r.tid, refs, oids)
			}
		}
	}
	if withClass < 50 {
		t.Errorf("only %d references with class checked", withClass)
	}
}

// Records with every form of reference, made by Python 3.11's pickle with
// a persistent_id that returns, for the objects of the state
// [o1, o2, o3, o4, o5, o6, o7], the ids
//
//	b'\0\0\0\0\0\0\0\x01'                                (a bare oid)
//	(b'\0\0\0\0\0\0\0\x02', collections.OrderedDict)     (oid, class)
//	['w', (b'\0\0\0\0\0\0\0\x03',)]
//	['w', (b'\0\0\0\0\0\0\0\x04', 'other')]
//	['m', ('other', b'\0\0\0\0\0\0\0\x05', collections.OrderedDict)]
//	['n', ('other', b'\0\0\0\0\0\0\0\x06')]
//	[b'\0\0\0\0\0\0\0\x07']                              (old weak ref)
//
// after the class pickle (collections.OrderedDict, None), with protocols 3
// and 1 (where bytes are written as _codecs.encode calls).
var allForms = map[string]string{
	"proto3": "\x80\x03ccollections\nOrderedDict\nq\x00N\x86q\x01.\x80\x03]q\x02(C\x08\x00\x00\x00\x00\x00\x00\x00\x01q\x03QC\x08\x00\x00\x00\x00\x00\x00\x00\x02q\x04h\x00\x86q\x05Q]q\x06(X\x01\x00\x00\x00wq\x07C\x08\x00\x00\x00\x00\x00\x00\x00\x03q\x08\x85q\teQ]q\n(h\x07C\x08\x00\x00\x00\x00\x00\x00\x00\x04q\x0bX\x05\x00\x00\x00otherq\x0c\x86q\x0deQ]q\x0e(X\x01\x00\x00\x00mq\x0fh\x0cC\x08\x00\x00\x00\x00\x00\x00\x00\x05q\x10h\x00\x87q\x11eQ]q\x12(X\x01\x00\x00\x00nq\x13h\x0cC\x08\x00\x00\x00\x00\x00\x00\x00\x06q\x14\x86q\x15eQ]q\x16C\x08\x00\x00\x00\x00\x00\x00\x00\x07q\x17aQe.",
	"proto1": "(ccollections\nOrderedDict\nq\x00Ntq\x01.]q\x02(c_codecs\nencode\nq\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01q\x04X\x06\x00\x00\x00latin1q\x05tq\x06Rq\x07Q(h\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02q\x08h\x05tq\tRq\nh\x00tq\x0bQ]q\x0c(X\x01\x00\x00\x00wq\x0d(h\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03q\x0eh\x05tq\x0fRq\x10tq\x11eQ]q\x12(h\x0d(h\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04q\x13h\x05tq\x14Rq\x15X\x05\x00\x00\x00otherq\x16tq\x17eQ]q\x18(X\x01\x00\x00\x00mq\x19(h\x16h\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05q\x1ah\x05tq\x1bRq\x1ch\x00tq\x1deQ]q\x1e(X\x01\x00\x00\x00nq\x1f(h\x16h\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06q h\x05tq!Rq\"tq#eQ]q$h\x03(X\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07q%h\x05tq&Rq'aQe.",
}

func TestReferencesForms(t *testing.T) {
	want := []Ref{
		{Oid: 1},
		{Oid: 2, Class: "collections.OrderedDict"},
		{Oid: 3, Weak: true},
		{Oid: 4, Weak: true, Database: "other"},
		{Oid: 5, Database: "other", Class: "collections.OrderedDict"},
		{Oid: 6, Database: "other"},
		{Oid: 7, Weak: true},
	}
	wantRepr := "[<ref oid=0x1>, <ref oid=0x2 class=collections.OrderedDict>, <weakref oid=0x3>, " +
		"<weakref db=other oid=0x4>, <ref db=other oid=0x5 class=collections.OrderedDict>, " +
		"<ref db=other oid=0x6>, <weakref oid=0x7>]"
	for name, data := range allForms {
		refs, err := References([]byte(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(refs, want) {
			t.Errorf("%s: References = %v", name, refs)
		}
		oids, err := Refs([]byte(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(oids, []zodb.Oid{1, 2}) { // referencesf leaves the lists out
			t.Errorf("%s: Refs = %v", name, oids)
		}
		class, state, err := Decode([]byte(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := Repr(class); got != "(<class 'collections.OrderedDict'>, None)" {
			t.Errorf("%s: class %s", name, got)
		}
		if got := Repr(state); got != wantRepr {
			t.Errorf("%s: state %s", name, got)
		}
	}
}

func TestRefsErrors(t *testing.T) {
	for name, data := range map[string]string{
		"short oid":     "\x80\x03cm\nC\nq\x00.\x80\x03C\x02abQ.",
		"int pid":       "\x80\x03cm\nC\nq\x00.\x80\x03K\x01Q.",
		"empty tuple":   "\x80\x03cm\nC\nq\x00.\x80\x03)Q.",
		"no state":      "\x80\x03cm\nC\nq\x00.",
		"truncated":     "\x80\x03cm\nC\nq\x00.\x80\x03C\x08\x00\x00",
		"underflow":     "\x80\x03cm\nC\nq\x00.\x80\x03Q.",
		"non-ascii str": "\x80\x03cm\nC\nq\x00.\x80\x03X\x08\x00\x00\x00\xc3\xa9\x00\x00\x00\x00\x00\x00Q.",
	} {
		_, err := Refs([]byte(data))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, zodb.ErrCorrupt) || !strings.HasPrefix(err.Error(), "zpickle: ") {
			t.Errorf("%s: error %q is not a zpickle corrupt error", name, err)
		}
	}
	// A list form Refs skips, but References must understand.
	bad := "\x80\x03cm\nC\nq\x00.\x80\x03]q\x01(X\x01\x00\x00\x00xK\x01eQ."
	if _, err := Refs([]byte(bad)); err != nil {
		t.Errorf("Refs: %v", err)
	}
	if _, err := References([]byte(bad)); !errors.Is(err, zodb.ErrCorrupt) {
		t.Errorf("References: err = %v", err)
	}
}

// TestScanTestdata checks that the scanner, not og-rek, answers for every
// record of testdata, and finds what og-rek finds.
func TestScanTestdata(t *testing.T) {
	for _, data := range allRecordData(t) {
		if !checkScan(t, data) {
			t.Errorf("the scanner gives up on %q", data)
		}
	}
	for name, data := range allForms {
		if !checkScan(t, []byte(data)) {
			t.Errorf("%s: the scanner gives up", name)
		}
	}
}

// TestConcurrent runs the package's functions from many goroutines at once
// (run it with -race): the class cache and the pools are shared.
func TestConcurrent(t *testing.T) {
	recs := allRecordData(t)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, d := range recs {
				ClassOf(d)
				Refs(d)
				References(d)
				if c, s, err := Decode(d); err == nil {
					Repr(c)
					Repr(s)
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
