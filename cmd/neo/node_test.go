package main

import (
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

// TestNodeUsage checks that bad options are usage errors (status 2, one
// line on stderr) and that --help shows an example.
func TestNodeUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"master"}, 2, "neo: config: --cluster: required"},
		{[]string{"storage", "-c", "x"}, 2, "--database: required"},
		{[]string{"master", "-c", "x", "-p", "many"}, 2, `invalid int value: "many"`},
		{[]string{"master", "-c", "x", "--upstream-cluster", "y"}, 2, "not supported"},
		{[]string{"admin", "-c", "x", "extra"}, 2, "accepts 0 arg"},
		{[]string{"admin", "-c", "x", "--nosuch"}, 2, "unknown flag: --nosuch"},
		{[]string{"admin", "-f", "/nonexistent/neo.conf"}, 1, "no such file"},
		{[]string{"simple", "--storages", "0"}, 2, "need at least 1"},
		{[]string{"simple", "--loglevel", "loud"}, 2, "unknown log level"},
		{[]string{"simple", "--ca", "ca.crt"}, 2, "give all 3 files"},
		{[]string{"simple", "--bind", "127.0.0.1:x"}, 2, "--bind 127.0.0.1:x: bad address"},
		{[]string{"ctl", "print", "foo"}, 2, "neo: ctl: invalid command: print foo"},
		{[]string{"ctl", "-a", "127.0.0.1:1", "print", "cluster"}, 1, "ERROR: not connected"},
		{[]string{"ctl", "-a", "[::1", "print", "cluster"}, 2, "no closing ]"},
		{[]string{"ctl", "--ca", "x", "print", "cluster"}, 2, "give all 3 files"},
	} {
		status, _, errOut := cli.Capture(newRootCommand(), tc.args)
		if status != tc.status || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: status %d, stderr %q; want %d, %q", tc.args, status, errOut, tc.status, tc.want)
		}
	}
	status, out, _ := cli.Capture(newRootCommand(), []string{"ctl"})
	if status != 0 || !strings.Contains(out, "print cluster") {
		t.Errorf("ctl with no command: status %d, %q", status, out)
	}
	for _, c := range []string{"master", "storage", "admin", "simple", "ctl"} {
		status, out, _ := cli.Capture(newRootCommand(), []string{c, "--help"})
		if status != 0 || !strings.Contains(out, "Examples:\n  neo "+c) {
			t.Errorf("%s --help: status %d, %q", c, status, out)
		}
	}
}
