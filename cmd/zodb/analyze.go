package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

type analyzeOptions struct {
	csv bool
	dbm bool
}

func newAnalyzeCommand() *cobra.Command {
	var o analyzeOptions
	cmd := &cobra.Command{
		Use:   "analyze [--csv] URL [tidrange]",
		Short: "analyze ZODB database usage",
		Long: `Analyze how a ZODB database uses its space: per class, how many records
and bytes its objects take, split into current revisions and old ones.

URL is the storage's URL (see 'zodb help zurl'); tidrange is the range of
history to analyze (see 'zodb help tidrange'), all of it by default.`,
		Example: `  zodb analyze data.fs
  zodb analyze --csv data.fs 2024-01-01T00:00:00Z.. >usage.csv`,
		Args: cli.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnalyze(cmd, &o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.csv, "csv", "c", false, "output CSV")
	// zodbtools' --dbm keeps its maps on disk; ours are compact enough in
	// memory, and scripts passing it keep working.
	f.BoolVarP(&o.dbm, "dbm", "d", false, "accepted for compatibility with zodbtools; ignored")
	return cmd
}

func runAnalyze(cmd *cobra.Command, o *analyzeOptions, args []string) error {
	tidMin, tidMax, err := tidRangeArg(args, 1)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	var rep *tools.AnalyzeReport
	err = withStorage(cmd, args[0], func(stor zodb.Storage) error {
		warn := func(err error) { fmt.Fprintln(cmd.ErrOrStderr(), err) }
		p := cli.NewProgress(cmd, "analyze", false)
		defer p.Done()
		rep, err = tools.Analyze(ctx, stor, tidMin, tidMax,
			&tools.AnalyzeOptions{Warn: warn, Progress: p.Update})
		return err
	})
	if err != nil {
		return err
	}
	if o.csv {
		return rep.WriteCSV(cmd.OutOrStdout())
	}
	return rep.WriteText(cmd.OutOrStdout())
}
