package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

func newConvertCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "convert SRC DST",
		Short: "copy a ZODB database into another storage",
		Long: `Copy a ZODB database into another storage.

Every transaction of the storage at URL SRC is copied into the storage at
URL DST (see 'zodb help zurl'), created if missing, with its tid, status,
metadata and records; undo records stay backpointers, so a FileStorage
copied into a FileStorage is the same file.

An interrupted copy is resumed: when DST already has transactions, they
must be SRC's first ones — same tids, metadata and records, which convert
checks — and the copy goes on after them. A DST holding anything else is
refused and left as it is. Each transaction is committed whole, so a
failure leaves DST ready to resume.

On success convert prints how many transactions it copied.`,
		Example: `  zodb convert data.fs file:///backup/data.fs
  zodb convert neo://db@master:5551 copy.fs`,
		Args: cli.ExactArgs(2),
		RunE: runConvert,
	}
}

func runConvert(cmd *cobra.Command, args []string) error {
	p := cli.NewProgress(cmd, "convert", false)
	defer p.Done()
	return withStorage(cmd, args[0], func(src zodb.Storage) error {
		return withWriter(cmd, args[1], func(dst zodb.Writer) error {
			st, err := tools.Convert(cmd.Context(), src, dst, &tools.ConvertOptions{Progress: p.Update})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%d transactions copied (%d records, %d bytes of data), %d were there already\n",
				st.Copied, st.Records, st.Bytes, st.Checked)
			return err
		})
	})
}
