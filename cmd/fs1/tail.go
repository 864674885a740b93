package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1/fs1tools"
)

type tailOptions struct {
	n int
}

func newTailCommand() *cobra.Command {
	var o tailOptions
	cmd := &cobra.Command{
		Use:   "tail [-n N] FILE",
		Short: "print a FileStorage's last transactions, as ZODB's fstail",
		Long: `Print the last N transactions (10 by default) of the FileStorage FILE,
newest first, exactly as Python ZODB's fstail does: time and sha1 hash of the
transaction's data records, user, description, length, position and header
length.

A file that does not end with a complete transaction prints nothing; stderr
says which record is torn and where, and the exit status is 1.`,
		Example: `  fs1 tail data.fs
  fs1 tail -n 3 data.fs`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.n < 0 {
				return cli.Usagef("-n: want a number of transactions >= 0, have %d", o.n)
			}
			return wrap(fs1tools.Tail(cmd.OutOrStdout(), args[0], o.n))
		},
	}
	cmd.Flags().IntVarP(&o.n, "count", "n", 10, "number of transactions to print")
	return cmd
}
