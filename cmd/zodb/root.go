package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
)

// newRootCommand builds the whole `zodb` command tree. One file per
// subcommand holds its newXCommand.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "zodb",
		Short: "Zodb is a tool for managing ZODB databases.",
		// Without a command zodbtools prints its usage and exits 2.
		RunE: func(cmd *cobra.Command, args []string) error {
			return cli.Usagef("no command given; run 'zodb help' for usage")
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		newAnalyzeCommand(),
		newBenchCommand(),
		newCatobjCommand(),
		newCmpCommand(),
		newCommitCommand(),
		newConvertCommand(),
		newDumpCommand(),
		newInfoCommand(),
		newMountCommand(),
		newRestoreCommand(),
	)
	root.AddCommand(newHelpTopics()...)
	// Each command's Use line already shows its flags as zodbtools does.
	for _, c := range root.Commands() {
		c.DisableFlagsInUseLine = true
	}

	cmdHelp := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		if cmd == root {
			writeRootHelp(cmd.OutOrStdout(), root)
			return
		}
		cmdHelp(cmd, args)
	})
	return root
}

// writeRootHelp writes the overview zodbtools' `zodb help` prints: the
// commands, then the help topics.
func writeRootHelp(w io.Writer, root *cobra.Command) {
	fmt.Fprint(w, `Zodb is a tool for managing ZODB databases.

Usage:

    zodb command [arguments]

The commands are:

`)
	for _, c := range root.Commands() {
		if c.Runnable() && c.IsAvailableCommand() && c.Name() != "help" {
			fmt.Fprintf(w, "    %-11s %s\n", c.Name(), c.Short)
		}
	}
	fmt.Fprint(w, `
Use "zodb help [command]" for more information about a command.

Additional help topics:

`)
	for _, c := range root.Commands() {
		if c.IsAdditionalHelpTopicCommand() {
			fmt.Fprintf(w, "    %-11s %s\n", c.Name(), c.Short)
		}
	}
	fmt.Fprint(w, `
Use "zodb help [topic]" for more information about that topic.
`)
}
