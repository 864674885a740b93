// Package cli holds what every zodbneo command front end shares: how errors
// are printed and which exit status they give.
//
// The contract (DESIGN.md): errors go to stderr as one line saying what
// failed and why; exit status 0 is success, 1 failure, 2 bad usage.
package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// UsageError marks an error in how a command was called: it exits with
// status 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// ExitError fails a command with a chosen exit status, for the commands
// whose Python counterparts give a status of their own meaning (zodb cmp:
// 1 when the storages differ, 2 when it could not compare them).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Prepare sets a root command up for the contract: cobra's own error and
// usage printing are silenced (Run prints one line instead), and flag
// errors become usage errors.
func Prepare(root *cobra.Command) {
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &UsageError{err}
	})
	for _, c := range root.Commands() {
		Prepare(c)
	}
}

// Run executes root with args and returns the exit status, printing any
// error to stderr as one line prefixed with the program's name.
func Run(root *cobra.Command, args []string, stderr io.Writer) int {
	Prepare(root)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %s\n", root.Name(), OneLine(root.Name(), err))
	var ee *ExitError
	switch {
	case errors.As(err, &ee):
		return ee.Code
	case isUsage(err):
		return 2
	}
	return 1
}

// OneLine returns err's message as one line, without a leading "prog: "
// that would repeat the program's name the line starts with (package zodb's
// errors start with "zodb: ", and so does every line the zodb command
// prints).
func OneLine(prog string, err error) string {
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	return strings.TrimPrefix(msg, prog+": ")
}

func isUsage(err error) bool {
	var ue *UsageError
	if errors.As(err, &ue) {
		return true
	}
	// cobra's own argument and command errors are plain errors.
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag",
		"accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// Main runs root on the process's arguments and exits with the status.
func Main(root *cobra.Command) {
	os.Exit(Run(root, os.Args[1:], os.Stderr))
}

// ExactArgs is cobra.ExactArgs returning a *UsageError.
func ExactArgs(n int) cobra.PositionalArgs {
	return wrapArgs(cobra.ExactArgs(n))
}

// MinimumNArgs is cobra.MinimumNArgs returning a *UsageError.
func MinimumNArgs(n int) cobra.PositionalArgs {
	return wrapArgs(cobra.MinimumNArgs(n))
}

// RangeArgs is cobra.RangeArgs returning a *UsageError.
func RangeArgs(min, max int) cobra.PositionalArgs {
	return wrapArgs(cobra.RangeArgs(min, max))
}

func wrapArgs(f cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd, args); err != nil {
			return &UsageError{err}
		}
		return nil
	}
}

// Capture runs root on args as Main would and returns the exit status and
// what the command wrote to stdout and stderr: commands are driven this way
// in tests.
func Capture(root *cobra.Command, args []string) (status int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	status = Run(root, args, &errOut)
	return status, out.String(), errOut.String()
}
