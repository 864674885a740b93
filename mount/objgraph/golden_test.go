package objgraph

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
// The golden files are ours (no Python tool writes this view): they show
// the view for review and keep it from changing unnoticed.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

// The state text of every object of small.fs at its head.
func TestStateTextGolden(t *testing.T) {
	s := openFS(t, smallFS)
	g := New(s, s.Head())
	_, oids := history(t, s)
	var out bytes.Buffer
	for _, oid := range oids {
		o, err := g.Object(bg, oid)
		if errors.Is(err, ErrMissing) {
			fmt.Fprintf(&out, "== %s (missing)\n", oid)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		text, err := o.StateText()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s %s (%s)\n%s", oid, o.Class, o.Kind, text)
	}
	golden(t, "small.state", out.Bytes())
}

// The root/ tree of small.fs at its head, as a FUSE layer would show it,
// following references one level down from the root.
func TestTreeGolden(t *testing.T) {
	g := headGraph(t, smallFS)
	var out bytes.Buffer
	root := object(t, g, 0)
	printTree(t, g, &out, root, "root", 1)
	golden(t, "small.tree", out.Bytes())
}

func printTree(t *testing.T, g *Graph, out *bytes.Buffer, d Dir, path string, refs int) {
	for _, e := range listAll(t, d) {
		p := path + "/" + e.Name
		switch e.Kind {
		case EntryLeaf:
			fmt.Fprintf(out, "%s = %s\n", p, strconv.Quote(string(e.Leaf)))
		case EntryDir:
			fmt.Fprintf(out, "%s/\n", p)
			printTree(t, g, out, e.Dir, p, refs)
		case EntryRef:
			o, err := g.Object(bg, e.Ref.Oid)
			if errors.Is(err, ErrMissing) {
				fmt.Fprintf(out, "%s -> %s (missing)\n", p, e.Ref.Oid)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(out, "%s -> %s %s\n", p, e.Ref.Oid, o.Class)
			if refs > 0 {
				printTree(t, g, out, o, p, refs-1)
			}
		}
	}
}
