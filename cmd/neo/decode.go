package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/neo/proto"
)

type decodeOptions struct {
	check bool
}

func newDecodeCommand() *cobra.Command {
	var opt decodeOptions
	cmd := &cobra.Command{
		Use:   "decode [--check] FILE...",
		Short: "Decode captured NEO protocol streams",
		Long: `Decode reads captured NEO streams (one direction of one connection each,
starting with the ("NEO", 5) handshake, as a capture tool writes them) and
prints every packet: its offset in the file, its msg id, its name and its
arguments.

With --check it also re-encodes every packet from its decoded form and
exits with status 1 at the first packet whose bytes differ from the
captured ones. Lists that NEO/py sends from sets (oid lists of
AskFinishTransaction, ...) travel in arbitrary order; decoding keeps the
order received, so they compare byte for byte too.`,
		Example: `  neo decode conn06.client-C1-to-storage1.bin
  neo decode --check testdata/neo/*/*.bin`,
		Args: cli.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := bufio.NewWriter(cmd.OutOrStdout())
			defer w.Flush()
			for _, path := range args {
				if err := decodeFile(w, path, opt, len(args) > 1); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&opt.check, "check", false, "re-encode each packet and fail at the first that differs")
	return cmd
}

// errMismatch marks a packet that re-encodes differently.
var errMismatch = errors.New("re-encoded packet differs")

func decodeFile(w *bufio.Writer, path string, opt decodeOptions, header bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if header {
		fmt.Fprintf(w, "==> %s <==\n", path)
	}
	r := proto.NewReader(bufio.NewReader(f))
	if err := r.ReadHandshake(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(w, "%8d  handshake NEO %d\n", 0, proto.Version)
	var buf []byte
	for {
		p, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m, err := p.Decode()
		if err != nil {
			return fmt.Errorf("%s: offset %d: %w", path, r.Offset(), err)
		}
		fmt.Fprintf(w, "%8d  #%-5d %s %s\n", r.Offset(), p.MsgID, p.Name(), proto.Format(m))
		if opt.check {
			buf = proto.AppendPacket(buf[:0], p.MsgID, m)
			if !bytes.Equal(buf, p.Raw) {
				w.Flush()
				return &cli.ExitError{Code: 1, Err: fmt.Errorf("%s: offset %d: %s: %w:\n got % x\nwant % x",
					path, r.Offset(), p.Name(), errMismatch, buf, p.Raw)}
			}
		}
	}
}
