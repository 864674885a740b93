package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

func newCommitCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "commit URL at <txn",
		Short: "commit new transaction into a ZODB database",
		Long: `Commit new transaction into a ZODB database.

The transaction to be committed is read from stdin in 'zodb dump' format
without its first 'txn' line:

    user "author"
    description "change 123"
    extension ""
    obj 0000000000000001 4 null:00
    ZZZZ

URL is the storage's URL (see 'zodb help zurl'). at is the ID of the
transaction the caller's view of the database is based on: an object the
input changes that was changed after at is a conflict, and nothing is
committed. at is required, as zodbtools requires it, so that a script does
not hide a race behind the current head; 'zodb info URL head' gives it.

On success the ID of the committed transaction is printed to stdout; on a
conflict or another problem an error is printed to stderr and the exit
status is 1.` + fmt.Sprintf(lowLevelNote, "zodb commit"),
		Example: `  zodb commit data.fs $(zodb info data.fs head) <change.txt`,
		Args:    cli.ExactArgs(2),
		RunE:    runCommit,
	}
}

func runCommit(cmd *cobra.Command, args []string) error {
	at, err := zodb.ParseTid(args[1])
	if err != nil {
		return &cli.UsageError{Err: fmt.Errorf("invalid at: %w", err)}
	}
	return withWriter(cmd, args[0], func(w zodb.Writer) error {
		tid, err := tools.Commit(cmd.Context(), w, at, cmd.InOrStdin(), &tools.CommitOptions{Name: "<stdin>"})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(cmd.OutOrStdout(), tid)
		return err
	})
}
