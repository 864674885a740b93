package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func newTestRoot() *cobra.Command {
	root := &cobra.Command{Use: "tool"}
	root.AddCommand(&cobra.Command{
		Use:  "ok",
		Args: ExactArgs(0),
		RunE: func(*cobra.Command, []string) error { return nil },
	})
	fail := &cobra.Command{
		Use:  "fail",
		Args: ExactArgs(1),
		RunE: func(*cobra.Command, []string) error {
			return errors.New("open x.fs: no such file\nsecond line")
		},
	}
	fail.Flags().Int("n", 0, "a number")
	root.AddCommand(fail)
	root.AddCommand(&cobra.Command{
		Use:  "usage",
		RunE: func(*cobra.Command, []string) error { return Usagef("bad tid range %q", "x") },
	})
	root.AddCommand(&cobra.Command{
		Use:  "prefixed",
		RunE: func(*cobra.Command, []string) error { return errors.New("tool: open x: denied") },
	})
	root.AddCommand(&cobra.Command{
		Use:  "exit3",
		RunE: func(*cobra.Command, []string) error { return &ExitError{3, errors.New("odd")} },
	})
	return root
}

func TestRunExitStatus(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"ok"}, 0, ""},
		{[]string{"fail", "a"}, 1, "tool: open x.fs: no such file; second line\n"},
		{[]string{"fail"}, 2, "tool: accepts 1 arg(s), received 0\n"},
		{[]string{"fail", "--n=zz", "a"}, 2, ""},
		{[]string{"fail", "--nope", "a"}, 2, "tool: unknown flag: --nope\n"},
		{[]string{"usage"}, 2, "tool: bad tid range \"x\"\n"},
		{[]string{"nosuch"}, 2, ""},
		{[]string{"prefixed"}, 1, "tool: open x: denied\n"},
		{[]string{"exit3"}, 3, "tool: odd\n"},
	} {
		var stderr bytes.Buffer
		status := Run(newTestRoot(), tt.args, &stderr)
		if status != tt.status {
			t.Errorf("%v: status %d, want %d (stderr %q)", tt.args, status, tt.status, stderr.String())
		}
		if tt.stderr != "" && stderr.String() != tt.stderr {
			t.Errorf("%v: stderr %q, want %q", tt.args, stderr.String(), tt.stderr)
		}
		if n := strings.Count(stderr.String(), "\n"); tt.status != 0 && n != 1 {
			t.Errorf("%v: stderr has %d lines, want one: %q", tt.args, n, stderr.String())
		}
	}
}
