package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

func newInfoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "info URL [parameter...]",
		Short: "print general information about a ZODB database",
		Long: `Print general information about a ZODB database.

URL is the storage's URL (see 'zodb help zurl').

Without parameters info prints every parameter as name=value lines. Given
parameter names, it prints the value of each on its own line. Parameters:

    name      the storage's name (for a FileStorage, its file)
    size      its size in bytes
    head      the tid of its last transaction
    last_tid  deprecated alias of head`,
		Example: `  zodb info data.fs
  zodb info data.fs head`,
		Args: cli.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStorage(cmd, args[0], func(stor zodb.Storage) error {
				return tools.Info(cmd.OutOrStdout(), stor, args[1:], cmd.ErrOrStderr())
			})
		},
	}
}
