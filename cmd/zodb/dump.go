package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

type dumpOptions struct {
	hashOnly bool
	pretty   string
}

func newDumpCommand() *cobra.Command {
	var o dumpOptions
	cmd := &cobra.Command{
		Use:   "dump [--hashonly] [--pretty=raw|zpickledis] URL [tidrange]",
		Short: "dump content of a ZODB database",
		Long: `Dump content of a ZODB database.

URL is the storage's URL (see 'zodb help zurl'); tidrange is the range of
history to dump (see 'zodb help tidrange'), all of it by default.

The dump is zodbtools' format: for each transaction a "txn <tid> <status>"
line, its quoted user, description and extension, then one line per object
it changed — "obj <oid> <size> sha1:<hash>" followed by the object's data,
"obj <oid> delete" or "obj <oid> from <tid>" (undo) — and an empty line.
'zodb restore' reads it back.`,
		Example: `  zodb dump data.fs
  zodb dump --hashonly data.fs 0285cbac258bf266..
  zodb dump --pretty=zpickledis file:///srv/zodb/data.fs ..2018-01-01T10:30:00Z`,
		Args: cli.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDump(cmd, &o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.hashOnly, "hashonly", false, "dump only hashes of objects, without their data")
	f.StringVar(&o.pretty, "pretty", "raw", "output format: raw or zpickledis (pickles disassembled; cannot be restored)")
	return cmd
}

func runDump(cmd *cobra.Command, o *dumpOptions, args []string) error {
	pretty, err := tools.ParsePretty(o.pretty)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	tidMin, tidMax, err := tidRangeArg(args, 1)
	if err != nil {
		return err
	}
	p := cli.NewProgress(cmd, "dump", false)
	defer p.Done()
	opt := &tools.DumpOptions{HashOnly: o.hashOnly, Pretty: pretty, Progress: p.Update}
	return withStorage(cmd, args[0], func(stor zodb.Storage) error {
		return tools.Dump(cmd.Context(), cmd.OutOrStdout(), stor, tidMin, tidMax, opt)
	})
}
