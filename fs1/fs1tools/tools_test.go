package fs1tools

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/fs1"
)

const testdata = "../../testdata"

// TestDumpGolden checks Dump against fsdump's output on the intact files;
// cmd/fs1 tests every file and tool, torn ones included.
func TestDumpGolden(t *testing.T) {
	for _, name := range []string{"small/small", "packed/packed", "empty/rootonly", "empty/empty"} {
		var out bytes.Buffer
		warned := false
		err := Dump(&out, testdata+"/fs1/"+name+".fs", &DumpOptions{Warn: func(error) { warned = true }})
		want, _ := os.ReadFile(testdata + "/fs1/" + name + ".fsdump")
		if err != nil || warned || !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s: err %v, warned %v, output equal %v", name, err, warned, bytes.Equal(out.Bytes(), want))
		}
	}
}

// TestTornErrors checks that torn records come back as *fs1.RecordError
// marked torn, at the position where the tail is cut.
func TestTornErrors(t *testing.T) {
	dir := testdata + "/fs1/truncated/"
	for _, tt := range []struct {
		name string
		run  func(path string) error
		pos  int64
	}{
		{"dump truncated-hdr", func(p string) error { return Dump(io.Discard, p, nil) }, 29007},
		{"dumpv truncated", func(p string) error { return DumpVerbose(io.Discard, p) }, 29189},
		{"dumpv truncated-hdr", func(p string) error { return DumpVerbose(io.Discard, p) }, 29007},
		{"tail truncated", func(p string) error { return Tail(io.Discard, p, 10) }, 29007},
		{"tail truncated-hdr", func(p string) error { return Tail(io.Discard, p, 10) }, 29007},
	} {
		file := dir + strings.Fields(tt.name)[1] + ".fs"
		err := tt.run(file)
		var re *fs1.RecordError
		if !errors.As(err, &re) || re.Pos != tt.pos || !fs1.IsTorn(err) || re.Path != file {
			t.Errorf("%s: err %v", tt.name, err)
		}
	}
}

func TestDumpWarn(t *testing.T) {
	var warnings []error
	opt := &DumpOptions{Warn: func(err error) { warnings = append(warnings, err) }}
	if err := Dump(io.Discard, testdata+"/fs1/truncated/truncated.fs", opt); err != nil {
		t.Fatal(err)
	}
	if err := Dump(io.Discard, testdata+"/fs1/truncated/checkpoint.fs", opt); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 || !fs1.IsTorn(warnings[0]) || !errors.Is(warnings[1], fs1.ErrInProgress) {
		t.Errorf("warnings: %v", warnings)
	}
}

func TestReindexSaves(t *testing.T) {
	src := testdata + "/fs1/packed/packed.fs"
	data, _ := os.ReadFile(src)
	path := filepath.Join(t.TempDir(), "packed.fs")
	os.WriteFile(path, data, 0o644)
	x, err := Reindex(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	have, _ := os.ReadFile(path + ".index")
	want, _ := os.ReadFile(src + ".index")
	if !bytes.Equal(have, want) || x.TopPos != int64(len(data)) {
		t.Errorf("index differs from Python's; pos %d", x.TopPos)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Reindex(ctx, path, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled reindex: %v", err)
	}
}
