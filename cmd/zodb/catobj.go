package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

type catobjOptions struct {
	hashOnly bool
	raw      bool
	pretty   string
}

func newCatobjCommand() *cobra.Command {
	var o catobjOptions
	cmd := &cobra.Command{
		Use:   "catobj [--hashonly|--raw] [--pretty=raw|zpickledis] URL xid...",
		Short: "print a record stored in a ZODB database",
		Long: `Print object records stored in a ZODB database.

URL is the storage's URL (see 'zodb help zurl'); each xid names an object
revision (see 'zodb help xid').

Each record is printed as its obj entry in 'zodb dump': the line
"obj <oid> <size> sha1:<hash>", then the data and a newline. With --hashonly
only the line is printed, ending in " -"; with --raw only the data of a
single record.`,
		Example: `  zodb catobj data.fs 0000000000000001@0285cbac258bf266
  zodb catobj --raw data.fs 0000000000000001@0285cbac258bf266 >obj.pickle
  zodb catobj --pretty=zpickledis data.fs 0000000000000000@0285cbac258bf266`,
		Args: cli.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCatobj(cmd, &o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.hashOnly, "hashonly", false, "print only the hash of each record, without data")
	f.BoolVar(&o.raw, "raw", false, "print the data of one record, without any header")
	f.StringVar(&o.pretty, "pretty", "raw", "how to show data: raw or zpickledis (pickles disassembled)")
	return cmd
}

func runCatobj(cmd *cobra.Command, o *catobjOptions, args []string) error {
	pretty, err := tools.ParsePretty(o.pretty)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	if o.hashOnly && o.raw {
		return cli.Usagef("--hashonly and --raw are incompatible")
	}
	xids := make([]zodb.Xid, 0, len(args)-1)
	for _, s := range args[1:] {
		xid, err := zodb.ParseXid(s, time.Now())
		if err != nil {
			return &cli.UsageError{Err: err}
		}
		xids = append(xids, xid)
	}
	if o.raw && len(xids) > 1 {
		return cli.Usagef("--raw prints only one record, %d given", len(xids))
	}
	opt := &tools.CatobjOptions{HashOnly: o.hashOnly, Raw: o.raw, Pretty: pretty}
	ctx := cmd.Context()
	return withStorage(cmd, args[0], func(stor zodb.Storage) error {
		for _, xid := range xids {
			if err := tools.Catobj(ctx, cmd.OutOrStdout(), stor, xid, opt); err != nil {
				return err
			}
		}
		return nil
	})
}
