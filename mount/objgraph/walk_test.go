package objgraph

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// Every database of testdata: at every transaction of it, every object
// that ever existed loads or says ErrMissing, decodes, lists entries of
// valid and distinct names that Lookup finds again, and has the same
// state text every time.
func TestEveryDatabase(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/zodbtools/*/*/data.fs")
	paths = append(paths, smallFS, "../../testdata/fs1/packed/packed.fs",
		"../../testdata/fs1/empty/rootonly.fs", "../../testdata/fs1/empty/empty.fs")
	if len(paths) < 10 {
		t.Fatalf("testdata: %d databases", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimPrefix(path, "../../testdata/"), func(t *testing.T) {
			s := openFS(t, path)
			tids, oids := history(t, s)
			if len(tids) > 6 && testing.Short() {
				tids = tids[len(tids)-3:]
			}
			n := 0
			for _, at := range tids {
				n += checkState(t, s, at, oids)
			}
			t.Logf("%d states, %d objects", len(tids), n)
		})
	}
}

// history returns the tids of a storage's transactions and every oid its
// records name.
func history(t *testing.T, s zodb.Storage) ([]zodb.Tid, []zodb.Oid) {
	var tids []zodb.Tid
	seen := map[zodb.Oid]bool{}
	var oids []zodb.Oid
	it := s.Iterate(bg, 0, zodb.TidMax)
	for {
		txn, dit, err := it.NextTxn(bg)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tids = append(tids, txn.Tid)
		for {
			d, err := dit.NextData(bg)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !seen[d.Oid] {
				seen[d.Oid] = true
				oids = append(oids, d.Oid)
			}
		}
	}
	return tids, oids
}

// checkState checks every object of oids at `at` and returns how many it
// found.
func checkState(t *testing.T, s zodb.Storage, at zodb.Tid, oids []zodb.Oid) int {
	n := 0
	g, again := New(s, at), New(s, at)
	for _, oid := range oids {
		o, err := g.Object(bg, oid)
		if errors.Is(err, ErrMissing) {
			continue
		}
		if err != nil {
			t.Fatalf("%s@%s: %v", oid, at, err)
		}
		n++
		if o.Err != nil {
			t.Errorf("%s@%s: %v", oid, at, o.Err)
			continue
		}
		checkDir(t, o, oid.String(), 0)
		text, err := o.StateText()
		if err != nil || len(text) == 0 || text[len(text)-1] != '\n' {
			t.Errorf("%s@%s: state text %q, %v", oid, at, text, err)
		}
		o2 := object(t, again, oid)
		if text2, _ := o2.StateText(); !bytes.Equal(text, text2) {
			t.Errorf("%s@%s: state text differs between two graphs", oid, at)
		}
		if text3, err := StateText(o.Data); err != nil || !bytes.Equal(text, text3) {
			t.Errorf("%s@%s: StateText of the record differs: %v", oid, at, err)
		}
		if _, err := o.Refs(); err != nil {
			t.Errorf("%s@%s: refs: %v", oid, at, err)
		}
	}
	return n
}

// checkDir lists a directory and the containers nested in it.
func checkDir(t *testing.T, d Dir, path string, depth int) {
	es, err := listErr(d)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	seen := map[string]bool{}
	for _, e := range es {
		if !validName(e.Name) || seen[e.Name] {
			t.Errorf("%s: bad or repeated name %q", path, e.Name)
		}
		seen[e.Name] = true
		got, err := d.Lookup(bg, e.Name)
		if err != nil || !sameEntry(got, e) {
			t.Errorf("%s: Lookup(%q) = %+v, %v; listed %+v", path, e.Name, got, err, e)
		}
		switch e.Kind {
		case EntryLeaf:
			if len(e.Leaf) == 0 || e.Leaf[len(e.Leaf)-1] != '\n' {
				t.Errorf("%s/%s: leaf %q", path, e.Name, e.Leaf)
			}
		case EntryDir:
			if depth < 8 {
				checkDir(t, e.Dir, path+"/"+e.Name, depth+1)
			}
		}
	}
	if _, err := d.Lookup(bg, "no such name"); !errors.Is(err, ErrNotFound) {
		t.Errorf("%s: Lookup of a name not there: %v", path, err)
	}
}

func validName(n string) bool {
	return n != "" && n != "." && n != ".." && len(n) <= nameMax && !strings.ContainsAny(n, "/\x00")
}

func sameEntry(a, b Entry) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Ref == b.Ref && bytes.Equal(a.Leaf, b.Leaf) &&
		(a.Dir == nil) == (b.Dir == nil) && (a.Dir == nil || reflect.DeepEqual(a.Dir.Text(), b.Dir.Text()))
}
