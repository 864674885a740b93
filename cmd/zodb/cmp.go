package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

type cmpOptions struct {
	verbose bool
}

func newCmpCommand() *cobra.Command {
	var o cmpOptions
	cmd := &cobra.Command{
		Use:   "cmp [-v] URL1 URL2 [tidrange]",
		Short: "compare two ZODB databases",
		Long: `Compare two ZODB databases.

URL1 and URL2 are the storages' URLs (see 'zodb help zurl'); tidrange is the
range of history to compare (see 'zodb help tidrange'), all of it by default.

Both storages are scanned transaction by transaction and every transaction
is compared bit for bit: tid, status, user, description, extension, and each
object record — data and undo backpointer. cmp stops at the first
difference, which it names on stderr.

The exit status is 0 if the databases are the same, 1 if they differ, and 2
on error. With -v, what zodbtools' cmp -v prints goes to stdout: "equal" or
"not-equal: ...", and the progress every 5 seconds.`,
		Example: `  zodb cmp data.fs copy.fs
  zodb cmp -v data.fs neo://db@master:5551 2018-01-01..`,
		Args: cli.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCmp(cmd, &o, args)
		},
	}
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "print the result and the progress on stdout")
	return cmd
}

// cmpDifferent is cmp's "the storages differ": exit status 1.
type cmpDifferent struct {
	url1, url2 string
	diff       *tools.Difference
}

func (e *cmpDifferent) Error() string {
	return fmt.Sprintf("cmp: %s and %s differ: %s", e.url1, e.url2, e.diff)
}

func runCmp(cmd *cobra.Command, o *cmpOptions, args []string) error {
	tidMin, tidMax, err := tidRangeArg(args, 2)
	if err != nil {
		return err
	}
	p := cli.NewProgress(cmd, "cmp", false)
	defer p.Done()
	opt := &tools.CmpOptions{Progress: p.Update}
	if o.verbose {
		opt.Verbose = cmd.OutOrStdout()
	}
	var diff *tools.Difference
	err = withStorage(cmd, args[0], func(s1 zodb.Storage) error {
		return withStorage(cmd, args[1], func(s2 zodb.Storage) error {
			diff, err = tools.Cmp(cmd.Context(), s1, s2, tidMin, tidMax, opt)
			return err
		})
	})
	if err != nil {
		// zodbtools' cmp exits 2 on errors, 1 meaning "different".
		return &cli.ExitError{Code: 2, Err: err}
	}
	if diff != nil {
		return &cmpDifferent{url1: args[0], url2: args[1], diff: diff}
	}
	return nil
}
