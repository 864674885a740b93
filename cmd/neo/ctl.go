package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/neo/config"
	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/link"
)

type ctlOptions struct {
	address       string
	logfile       string
	ca, cert, key string
}

func newCtlCommand() *cobra.Command {
	var opt ctlOptions
	cmd := &cobra.Command{
		Use:   "ctl [-a ADMIN] COMMAND...",
		Short: "Control a NEO cluster through its admin node, as neoctl",
		Long: `Ctl sends one command to the admin node at -a (NEO/py's neoctl: same
options, same commands, same output) and prints the answer. With no
command it lists them. Options must come before the command (everything
after it is the command's: 'neo ctl tweak -n').`,
		Example: `  neo ctl -a 127.0.0.1:9999 print cluster
  neo ctl -a 127.0.0.1:9999 print node
  neo ctl -a 127.0.0.1:9999 print pt
  neo ctl -a 127.0.0.1:9999 start
  neo ctl -a 127.0.0.1:9999 set cluster STOPPING`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runCtl(cmd, &opt, args) },
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.SortFlags = false
	f.StringVarP(&opt.address, "address", "a", "127.0.0.1:9999", "address of an admin node (host[:port], port 9999 by default)")
	f.StringVarP(&opt.logfile, "logfile", "l", "", "accepted for neoctl's sake; ctl logs nothing")
	f.StringVar(&opt.ca, "ca", "", "(TLS) certificate authority in PEM format")
	f.StringVar(&opt.cert, "cert", "", "(TLS) certificate in PEM format")
	f.StringVar(&opt.key, "key", "", "(TLS) private key in PEM format")
	return cmd
}

func runCtl(cmd *cobra.Command, opt *ctlOptions, args []string) error {
	out := cmd.OutOrStdout()
	if len(args) == 0 {
		_, err := io.WriteString(out, ctl.Usage())
		return err
	}
	if err := ctl.Check(args); err != nil {
		return ctlError(err)
	}
	addr, err := config.ParseAddress(opt.address, 9999)
	if err != nil {
		return cli.Usagef("-a %s: %v", opt.address, err)
	}
	tc, err := ctlTLS(opt)
	if err != nil {
		return err
	}
	c, err := ctl.Dial(cmd.Context(), addr, tc)
	if err != nil {
		return err
	}
	defer c.Close()
	text, err := ctl.Run(cmd.Context(), c, args)
	if err != nil {
		return ctlError(err)
	}
	_, err = io.WriteString(out, text)
	return err
}

func ctlTLS(opt *ctlOptions) (*tls.Config, error) {
	switch ok, partial := link.TLSFiles(opt.ca, opt.cert, opt.key); {
	case partial:
		return nil, cli.Usagef("to enable TLS, give all 3 files: --ca, --cert and --key")
	case ok:
		return link.LoadTLS(opt.ca, opt.cert, opt.key)
	}
	return nil, nil
}

// ctlError makes neoctl's "invalid command" a usage error (exit status 2).
func ctlError(err error) error {
	var ue *ctl.UsageError
	if errors.As(err, &ue) {
		return &cli.UsageError{Err: fmt.Errorf("ctl: %w", err)}
	}
	return err
}
