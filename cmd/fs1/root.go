package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

// newRootCommand builds the whole `fs1` command tree. One file per
// subcommand holds its newXCommand.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "fs1",
		Short: "Fs1 inspects and maintains ZODB FileStorage files (data.fs).",
		RunE: func(cmd *cobra.Command, args []string) error {
			return cli.Usagef("no command given; run 'fs1 help' for usage")
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		newDumpCommand(),
		newDumpFsiCommand(),
		newPackCommand(),
		newReindexCommand(),
		newTailCommand(),
		newVerifyIndexCommand(),
	)
	return root
}

// cmdError is an error of a package as the fs1 command prints it: cli
// prefixes every message with "fs1: ", so the leading "fs1: " of package
// fs1's errors (and "fs1tools: " of package fs1tools's) would only repeat
// it.
type cmdError struct{ err error }

func (e *cmdError) Error() string { return trimPkg(e.err.Error()) }
func (e *cmdError) Unwrap() error { return e.err }

func trimPkg(s string) string {
	for _, p := range []string{"fs1: ", "fs1tools: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// wrap returns err as the command reports it.
func wrap(err error) error {
	var ue *cli.UsageError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	return &cmdError{err}
}

// warner returns the function that writes a package's warning to the
// command's stderr, as one line.
func warner(cmd *cobra.Command) func(error) {
	return func(err error) {
		msg := strings.ReplaceAll(trimPkg(err.Error()), "\n", "; ")
		fmt.Fprintf(cmd.ErrOrStderr(), "fs1: warning: %s\n", msg)
	}
}
