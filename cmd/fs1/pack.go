package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1/fs1tools"
)

type packOptions struct {
	days      float64
	noGC      bool
	removeOld bool
}

func newPackCommand() *cobra.Command {
	var o packOptions
	cmd := &cobra.Command{
		Use:   "pack [-d DAYS] [--no-gc] [--remove-old] FILE [TIME|TID]",
		Short: "pack a FileStorage: remove old revisions and unreachable objects",
		Long: `Pack the FileStorage FILE as Python ZODB's FileStorage.pack does, to the pack
time TIME (a date or time as zodb dump takes them, "2024-01-02 03:04:05",
"3 days ago", ...) or TID (16 hex digits); without one, to DAYS days ago (1 by
default), as zodbpack's --days.

Revisions written before the pack time that are not current at it are removed,
and so are objects not reachable from the root object at the pack time
(unless --no-gc); everything committed after the pack time stays. The packed
file is written to FILE.pack, then FILE becomes FILE.old (removed with
--remove-old) and FILE.pack becomes FILE; the index FILE.index is rewritten.

FILE must not be open for writing by another process: the pack takes its lock
(FILE.lock) as Python does. A pack that would remove nothing leaves FILE
untouched and says so. A reference to an object that does not exist at the
pack time fails the pack, as in Python; --no-gc packs such a file.`,
		Example: `  fs1 pack data.fs
  fs1 pack -d 7 data.fs
  fs1 pack data.fs "2024-01-02 03:00:00"
  fs1 pack --no-gc data.fs 03f5946172b1b6c0`,
		Args: cli.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			at := ""
			if len(args) == 2 {
				if cmd.Flags().Changed("days") {
					return cli.Usagef("give either -d DAYS or a pack time, not both")
				}
				at = args[1]
			}
			tid, err := fs1tools.PackTid(at, o.days, time.Now())
			if err != nil {
				return cli.Usagef("%s", trimPkg(err.Error()))
			}
			p := cli.NewProgress(cmd, "pack", true)
			defer p.Done()
			return wrap(fs1tools.Pack(cmd.Context(), cmd.OutOrStdout(), args[0], tid,
				&fs1tools.PackOptions{NoGC: o.noGC, RemoveOld: o.removeOld, Warn: warner(cmd), Progress: p.Update}))
		},
	}
	f := cmd.Flags()
	f.Float64VarP(&o.days, "days", "d", fs1tools.DefaultPackDays, "days of history to keep, when no pack time is given")
	f.BoolVar(&o.noGC, "no-gc", false, "keep objects unreachable from the root (Python's pack_gc=False)")
	f.BoolVar(&o.removeOld, "remove-old", false, "remove FILE.old once packed (Python's pack_keep_old=False)")
	return cmd
}
