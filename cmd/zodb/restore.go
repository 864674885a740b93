package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

// lowLevelNote is zodbtools' warning on the commands that write raw
// records.
const lowLevelNote = `

Note: '%s' is a low-level tool that creates transactions without
checking data for correctness and consistency at object level. Given
incorrect data it can create transactions with objects that cannot be
unpickled, or with objects that reference other objects that may not
already be present in the database. Such transactions would lead to errors
later when accessing those objects at application level.`

func newRestoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore URL <dump",
		Short: "restore content of a ZODB database",
		Long: `Restore content of a ZODB database.

The transactions to restore are read from stdin in 'zodb dump' format and
recreated in the storage at URL (see 'zodb help zurl'), created if missing,
with their tids, status and metadata; their tids must come after the
storage's last one. On success the ID of every restored transaction is
printed to stdout.

Each transaction is read whole and checked (sizes, hashes, tids growing)
before it is committed: a damaged or cut dump stops the restore with an
error naming the line, after the transactions before the damage.` +
			fmt.Sprintf(lowLevelNote, "zodb restore"),
		Example: `  zodb restore new.fs <backup.zdump
  zodb dump old.fs | zodb restore file:///srv/zodb/new.fs`,
		Args: cli.ExactArgs(1),
		RunE: runRestore,
	}
}

func runRestore(cmd *cobra.Command, args []string) error {
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	p := cli.NewProgress(cmd, "restore", true)
	defer p.Done()
	in := cmd.InOrStdin()
	opt := &tools.RestoreOptions{
		Name:     "<stdin>",
		Restored: func(tid zodb.Tid) { fmt.Fprintln(out, tid) },
		Progress: p.Update,
	}
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			opt.InputSize = fi.Size()
		}
	}
	return withWriter(cmd, args[0], func(w zodb.Writer) error {
		return tools.Restore(cmd.Context(), w, in, opt)
	})
}
