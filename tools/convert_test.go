package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/zodb"
)

// TestConvertGoldens converts every testdata storage into memory: the copy
// is equal to its source — undo records kept as backpointers.
func TestConvertGoldens(t *testing.T) {
	ctx := context.Background()
	for _, g := range goldenStorages(t) {
		src := openReadOnly(t, g.path)
		var srcDump strings.Builder
		if err := Dump(ctx, &srcDump, src, 0, zodb.TidMax, nil); err != nil {
			continue // torn: Convert's errors are tested elsewhere
		}
		w := newMemWriter()
		var reports int
		st, err := Convert(ctx, src, w, &ConvertOptions{Progress: func(done, total int64) { reports++ }})
		if err != nil {
			t.Errorf("%s: %v", g.name(), err)
			continue
		}
		if got := dumpString(t, w); got != srcDump.String() {
			t.Errorf("%s: copy dumps differently", g.name())
		}
		diff, err := Cmp(ctx, src, w, 0, zodb.TidMax, nil)
		if err != nil || diff != nil {
			t.Errorf("%s: copy differs: %v %v", g.name(), diff, err)
		}
		if st.Copied != strings.Count(srcDump.String(), "\ntxn ")+min(1, srcDump.Len()) || st.Checked != 0 ||
			(st.Copied > 0) != (reports > 0) {
			t.Errorf("%s: stats %+v, %d reports", g.name(), st, reports)
		}
		// converting again checks everything and copies nothing
		st, err = Convert(ctx, src, w, nil)
		if err != nil || st.Copied != 0 || st.Checked != st.Copied+strings.Count(srcDump.String(), "\ntxn ")+min(1, srcDump.Len()) {
			t.Errorf("%s: second convert: %+v %v", g.name(), st, err)
		}
	}
}

// memCopy returns a memWriter holding the first n transactions of src.
func memCopy(t *testing.T, src zodb.Storage, n int) *memWriter {
	t.Helper()
	w := newMemWriter()
	dump := dumpString(t, src)
	if err := Restore(context.Background(), w, strings.NewReader(dump[:nthTxn(dump, n)]), nil); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestConvertResume: a destination holding the source's first
// transactions gets the rest; one holding anything else is refused and
// left alone.
func TestConvertResume(t *testing.T) {
	ctx := context.Background()
	src := openReadOnly(t, "../testdata/fs1/small/small.fs")
	w := memCopy(t, src, 5)
	st, err := Convert(ctx, src, w, nil)
	if err != nil || st.Checked != 5 || st.Copied != 15 {
		t.Fatalf("resume: %+v %v", st, err)
	}
	// the lossy delete of txn 03f5946132293800 was copied by Convert
	if diff, err := Cmp(ctx, src, w, 0, zodb.TidMax, nil); diff != nil || err != nil {
		t.Errorf("resumed copy differs: %v %v", diff, err)
	}

	// the dump-restored head holds a lossy delete: the overlap differs
	w = memCopy(t, src, 17)
	_, err = Convert(ctx, src, w, nil)
	if err == nil || !strings.Contains(err.Error(), "is not a copy of") ||
		!strings.Contains(err.Error(), "transaction 03f5946132293800 differs: obj 0000000000000021") {
		t.Errorf("disagreeing overlap: %v", err)
	}

	other := openReadOnly(t, "../testdata/fs1/empty/rootonly.fs")
	for _, tt := range []struct {
		name string
		w    *memWriter
		want string
	}{
		{"other", memCopy(t, other, 1), "transaction 03f59459b2f6cfcc is in the source only"},
		{"longer", memCopy(t, src, 20), "transaction 03f59459b2f6cfcc is in the destination only"},
	} {
		head := tt.w.Head()
		src := src
		if tt.name == "longer" {
			src = memCopy(t, src, 0)
		}
		_, err := Convert(ctx, src, tt.w, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "tools: convert: mem://w is not a copy of ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if tt.w.Head() != head {
			t.Errorf("%s: destination changed", tt.name)
		}
	}
}
