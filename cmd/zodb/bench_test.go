package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/tools"
)

// genBenchDB generates a small database with `zodb bench --generate`.
func genBenchDB(t *testing.T, n string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bench.fs")
	status, out, errOut := runZodb(t, "bench", "--generate", n, p)
	if status != 0 || !strings.Contains(out, "objects ("+n+" leaves)") {
		t.Fatalf("bench --generate: status %d, stdout %q, stderr %q", status, out, errOut)
	}
	return p
}

// TestBenchGenerateReproducible: the same count and seed give the same
// file byte for byte.
func TestBenchGenerateReproducible(t *testing.T) {
	a, b := genBenchDB(t, "300"), genBenchDB(t, "300")
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(da, db) {
		t.Fatalf("two --generate 300 runs differ (%d and %d bytes)", len(da), len(db))
	}
	wantFail(t, []string{"bench", "--generate", "10", a}, 1, "", "not empty")
}

// TestBenchSmokeFile runs every sub-benchmark on a FileStorage in every
// output format.
func TestBenchSmokeFile(t *testing.T) {
	p := genBenchDB(t, "300")
	benchSmoke(t, p, "311") // 300 leaves, 5+3 buckets, 2 trees, the root

	// commit is never a default, and refuses a read-only storage.
	wantFail(t, []string{"bench", "--bench", "commit", p}, 1, "", "needs the commit option")
	wantFail(t, []string{"bench", "--bench", "commit", "--commit", "file://" + p + "?read_only=1"}, 1, "", "read-only")
	wantFail(t, []string{"bench", "--bench", "nosuch", p}, 1, "", `unknown benchmark "nosuch"`)
}

// TestBenchSmokeNEO runs every sub-benchmark on an in-process NEO cluster.
func TestBenchSmokeNEO(t *testing.T) {
	p := genBenchDB(t, "300")
	ctx := context.Background()
	c, err := simple.Start(ctx, simple.Options{Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Import(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	benchSmoke(t, c.URL(), "311")
}

var goBenchLine = regexp.MustCompile(`^Benchmark[A-Za-z]+(/[a-z0-9]+)?-\d+\t\d+\t[0-9.]+ ns/op\t[0-9.]+ MB/s(\t\d+ p50-ns\t\d+ p90-ns\t\d+ p99-ns\t\d+ max-ns)?$`)

// benchSmoke runs zodb bench on url with every sub-benchmark (commit
// last) and checks that the table, the JSON and the Go benchmark lines
// parse and agree with the database.
func benchSmoke(t *testing.T, url, objects string) {
	t.Helper()
	args := []string{"bench", "--bench", "load,zhash,load-concurrent,iterate", "-j", "3", url}

	status, out, errOut := runZodb(t, args...)
	if status != 0 {
		t.Fatalf("zodb %q: status %d, stderr %q", args, status, errOut)
	}
	for _, want := range []string{"objects  " + objects + " (", "load/cold", "load/warm", "zhash: sha1:", "load-concurrent", "iterate"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	jsonFile := filepath.Join(t.TempDir(), "r.json")
	status, out, errOut = runZodb(t, append([]string{"bench", "--json", "--json-file", jsonFile}, args[1:]...)...)
	var rep, saved tools.BenchReport
	if status != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("--json: status %d, stderr %q, stdout %q", status, errOut, out)
	}
	if b, err := os.ReadFile(jsonFile); err != nil || json.Unmarshal(b, &saved) != nil || len(saved.Results) != len(rep.Results) {
		t.Errorf("--json-file: %v, %d results", err, len(saved.Results))
	}
	names := []string{}
	for _, r := range rep.Results {
		names = append(names, r.Name)
		if r.Name != "iterate" && r.Ops != rep.Objects {
			t.Errorf("%s: %d ops, want one per object (%d)", r.Name, r.Ops, rep.Objects)
		}
	}
	if got := strings.Join(names, " "); got != "load/cold zhash load/warm load-concurrent iterate" {
		t.Errorf("results: %s", got)
	}

	args = []string{"bench", "--gobench", "--commit", "--txns", "2", "--size", "64", url}
	status, out, errOut = runZodb(t, args...)
	if status != 0 {
		t.Fatalf("zodb %q: status %d, stderr %q", args, status, errOut)
	}
	lines := 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			lines++
			if !goBenchLine.MatchString(l) {
				t.Errorf("not a Go benchmark line: %q", l)
			}
		}
	}
	if lines != 8 || !strings.Contains(out, "BenchmarkCommit/100obj-") || !strings.Contains(out, "BenchmarkLoadConcurrent/j8-") {
		t.Errorf("--gobench: %d benchmark lines:\n%s", lines, out)
	}
}
