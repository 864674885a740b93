package fs1

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

const (
	smallFS  = "../testdata/fs1/small/small.fs"
	packedFS = "../testdata/fs1/packed/packed.fs"
)

// copyFS copies a data file (not its index) into a fresh directory and
// returns the copy's path.
func copyFS(t testing.TB, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.fs")
	if err := os.WriteFile(path, mustRead(t, src), 0o666); err != nil {
		t.Fatal(err)
	}
	return path
}

// goldenPackTid returns the pack time Python packed small.fs at to make
// packed.fs, as a tid.
func goldenPackTid(t testing.TB) zodb.Tid {
	t.Helper()
	var gen struct {
		PackTime float64  `json:"pack_time"`
		Between  []string `json:"packed_between"`
	}
	if err := json.Unmarshal(mustRead(t, "../testdata/fs1/packed/packed.gen.json"), &gen); err != nil {
		t.Fatal(err)
	}
	sec, frac := math.Modf(gen.PackTime)
	tid := zodb.TidFromTime(time.Unix(int64(sec), int64(frac*1e9)))
	lo, _ := zodb.ParseTid(gen.Between[0])
	hi, _ := zodb.ParseTid(gen.Between[1])
	if !(lo <= tid && tid < hi) {
		t.Fatalf("pack tid %s not in [%s, %s)", tid, lo, hi)
	}
	return tid
}

// TestPackGolden packs small.fs at the time Python packed it to make
// packed.fs: the file, its index and data.fs.old are byte for byte what
// Python left.
func TestPackGolden(t *testing.T) {
	path := copyFS(t, smallFS)
	res, err := PackFile(ctx, path, goldenPackTid(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := mustRead(t, packedFS)
	if got := mustRead(t, path); !bytes.Equal(got, want) {
		t.Errorf("packed file differs from packed.fs (%d bytes, want %d)", len(got), len(want))
	}
	if got, want := mustRead(t, path+".index"), mustRead(t, packedFS+".index"); !bytes.Equal(got, want) {
		t.Errorf("index differs from packed.fs.index")
	}
	if got := mustRead(t, path+".old"); !bytes.Equal(got, mustRead(t, smallFS)) {
		t.Errorf("data.fs.old is not small.fs")
	}
	if !res.Packed || res.OldSize != int64(len(mustRead(t, smallFS))) || res.NewSize != int64(len(want)) {
		t.Errorf("result %+v", res)
	}
}
