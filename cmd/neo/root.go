package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

// newRootCommand builds the whole `neo` command tree. One file per
// subcommand holds its newXCommand.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "neo",
		Short: "Neo runs and inspects NEO clusters.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return cli.Usagef("no command given; run 'neo help' for usage")
		},
		SilenceUsage: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newDecodeCommand(), newMasterCommand(), newStorageCommand(), newAdminCommand(), newCtlCommand(), newSimpleCommand())
	return root
}
