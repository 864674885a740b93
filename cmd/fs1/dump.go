package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1/fs1tools"
)

type dumpOptions struct {
	verbose bool
}

func newDumpCommand() *cobra.Command {
	var o dumpOptions
	cmd := &cobra.Command{
		Use:   "dump [--verbose] FILE",
		Short: "print a FileStorage's transactions and records, as ZODB's fsdump",
		Long: `Print the transactions of the FileStorage FILE and their data records,
exactly as Python ZODB's fsdump does: per transaction its number, tid, size,
time, the position of its first data record ("offset"), status and metadata;
per data record its oid, data size, class, and for an undo record the tid its
backpointer points to ("bp").

With --verbose, print every header field of every record instead, as ZODB's
fsdump.Dumper does, reading the file straight through without checking it:
the view to look at a damaged file with.

A file whose last transaction is torn or still being committed is printed up
to it, with a warning on stderr. Where ZODB's tool would fail on a torn or
corrupt record, what comes before it is printed, stderr says what is wrong
and where, and the exit status is 1.`,
		Example: `  fs1 dump data.fs
  fs1 dump --verbose data.fs | less`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDump(cmd, &o, args[0])
		},
	}
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "print every field of every record header (ZODB's Dumper)")
	return cmd
}

func runDump(cmd *cobra.Command, o *dumpOptions, path string) error {
	if o.verbose {
		return wrap(fs1tools.DumpVerbose(cmd.OutOrStdout(), path))
	}
	return wrap(fs1tools.Dump(cmd.OutOrStdout(), path, &fs1tools.DumpOptions{Warn: warner(cmd)}))
}
