package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1/fs1tools"
)

func newDumpFsiCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "dump-fsi INDEX",
		Short: "print a saved FileStorage index (data.fs.index)",
		Long: `Print the FileStorage index saved in INDEX, the data.fs.index file Python
ZODB (or 'fs1 reindex') writes next to data.fs. The first line is
"pos <position>", the file position the index covers up to; then one line per
object, by ascending oid: its oid in 16 hex digits and the position of its
current data record in decimal.`,
		Example: `  fs1 dump-fsi data.fs.index
  fs1 dump-fsi data.fs.index | awk 'NR > 1 && $2 > 1000000'`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return wrap(fs1tools.DumpIndex(cmd.OutOrStdout(), args[0]))
		},
	}
}
