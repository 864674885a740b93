package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

func TestDecodeCheck(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/neo/*/*.bin")
	if len(files) == 0 {
		t.Fatal("no trace files")
	}
	status, out, errOut := cli.Capture(newRootCommand(), append([]string{"decode", "--check"}, files...))
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	for _, want := range []string{
		"RequestIdentification NodeType=CLIENT NID=C1 Addr=None ClusterName=s2",
		"AnswerObject Oid=",
		"==> ../../testdata/neo/s1-bootstrap/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o666); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile("../../testdata/neo/s2-client-commit-load/conn06.client-C1-to-storage1.bin")
	if err != nil {
		t.Fatal(err)
	}
	// A non-minimal integer (msg_id 1 as uint8) decodes but re-encodes
	// differently.
	odd := append(append([]byte{}, good[:6]...), 0x93, 0xcc, 0x01, 0x02, 0x90)
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"decode", write("trunc.bin", good[:len(good)-3])}, 1, "truncated"},
		{[]string{"decode", write("http.bin", []byte("GET / HTTP/1.0\r\n"))}, 1, "does not speak NEO"},
		{[]string{"decode", "--check", write("odd.bin", odd)}, 1, "re-encoded packet differs"},
		{[]string{"decode", write("odd2.bin", odd)}, 0, ""},
		{[]string{"decode"}, 2, ""},
	} {
		status, _, errOut := cli.Capture(newRootCommand(), tc.args)
		if status != tc.status || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: status %d, stderr %q; want %d, %q", tc.args, status, errOut, tc.status, tc.want)
		}
	}
}
