package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1/fs1tools"
)

func newReindexCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "reindex FILE",
		Short: "rebuild a FileStorage's index (FILE.index) from its data",
		Long: `Rebuild the index of the FileStorage FILE by reading all of it, as Python
ZODB does when it finds no usable index, and save it as FILE.index in Python's
format (written to FILE.index.index_tmp, then renamed). FILE itself is only
read.

A torn or unfinished last transaction is left out of the index, as Python
leaves it out; stderr warns about it.`,
		Example: `  fs1 reindex data.fs`,
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := cli.NewProgress(cmd, "reindex", true)
			defer p.Done()
			_, err := fs1tools.Reindex(cmd.Context(), args[0],
				&fs1tools.IndexOptions{Warn: warner(cmd), Progress: p.Update})
			return wrap(err)
		},
	}
}

func newVerifyIndexCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify-index FILE",
		Short: "check a FileStorage's saved index (FILE.index) against its data",
		Long: `Check the index saved as FILE.index against the FileStorage FILE: rebuild
the index of the transactions it covers by reading FILE, and compare. Each
difference is printed on its own line ("pos: ..." or "oid <oid>: ..."), and the
exit status is then 1; when they agree, "index ok: ..." is printed.

An index older than FILE (covering fewer transactions) is not an error:
Python ZODB reads the rest of the file after loading it.`,
		Example: `  fs1 verify-index data.fs`,
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := cli.NewProgress(cmd, "verify-index", true)
			defer p.Done()
			return wrap(fs1tools.VerifyIndex(cmd.Context(), cmd.OutOrStdout(), args[0],
				&fs1tools.IndexOptions{Warn: warner(cmd), Progress: p.Update}))
		},
	}
}
