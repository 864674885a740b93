package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/neo/config"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/simple"
)

type simpleOptions struct {
	simple.Options
	importPath string
	logFile    string
	logLevel   string
}

func newSimpleCommand() *cobra.Command {
	var opt simpleOptions
	cmd := &cobra.Command{
		Use:   "simple",
		Short: "Run a whole NEO cluster in one process, for trying things out",
		Long: `Simple starts a master, N storages on SQLite files and an admin, all on
free 127.0.0.1 ports in this one process, and waits until the cluster is
RUNNING. It then prints the cluster's neo:// URL on the first line of
stdout and the admin's address (for 'neo ctl -a') on the second, and runs
until Ctrl-C or SIGTERM (or 'neo ctl set cluster STOPPING'), then stops
every node cleanly.

The databases are in a temporary directory removed at exit, unless --dir
names one: it is kept, and a later 'neo simple --dir' with the same
--cluster finds the data again. --import copies a FileStorage (or any
storage URL) into the new cluster before the URL is printed, as
'zodb convert' would.

With --ca, --cert and --key every connection is TLS (all nodes use that
certificate) and the URL is a neos:// one naming the three files; give
'neo ctl' the same three options.

Logs go to stderr (warnings and errors only) or, with -l, to a file.`,
		Example: `  neo simple
  neo simple --storages 2 --replicas 1 --dir /tmp/neo --bind 127.0.0.1:5551
  neo simple --import data.fs --cluster demo`,
		Args: cli.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return runSimple(cmd, &opt) },
	}
	f := cmd.Flags()
	f.IntVar(&opt.Storages, "storages", 1, "number of storage nodes")
	f.IntVar(&opt.Partitions, "partitions", 12, "number of partitions")
	f.IntVar(&opt.Replicas, "replicas", 0, "number of replicas of each partition (below --storages)")
	f.StringVar(&opt.Cluster, "cluster", "simple", "cluster name")
	f.StringVar(&opt.MasterBind, "bind", "", "the master's address, host:port (default: a free port on 127.0.0.1), for a URL that stays the same")
	f.StringVar(&opt.Dir, "dir", "", "work directory for the databases, kept at exit (default: a temporary one)")
	f.StringVar(&opt.importPath, "import", "", "copy this FileStorage (or storage URL) into the cluster first")
	f.StringVarP(&opt.logFile, "logfile", "l", "", "log to this file")
	f.StringVar(&opt.CA, "ca", "", "(TLS) certificate authority in PEM format: with --cert and --key, every connection is TLS and the URL neos://")
	f.StringVar(&opt.Cert, "cert", "", "(TLS) certificate in PEM format, used by every node")
	f.StringVar(&opt.Key, "key", "", "(TLS) private key in PEM format")
	f.StringVar(&opt.logLevel, "loglevel", "", "least severe records logged: debug, info, warn, error (default: warn on stderr, info in a file)")
	return cmd
}

func runSimple(cmd *cobra.Command, opt *simpleOptions) error {
	if opt.Storages < 1 {
		return cli.Usagef("--storages %d: need at least 1", opt.Storages)
	}
	if _, partial := link.TLSFiles(opt.CA, opt.Cert, opt.Key); partial {
		return cli.Usagef("to enable TLS, give all 3 files: --ca, --cert and --key")
	}
	if opt.MasterBind != "" {
		a, err := config.ParseAddress(opt.MasterBind, 0)
		if err != nil {
			return cli.Usagef("--bind %s: %v", opt.MasterBind, err)
		}
		opt.MasterBind = a
	}
	level := opt.logLevel
	if level == "" {
		level = "warn"
		if opt.logFile != "" {
			level = "info"
		}
	}
	log, closer, err := config.OpenLog(opt.logFile, level, cmd.ErrOrStderr())
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	defer closer.Close()
	opt.Logger = log

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := simple.Start(ctx, opt.Options)
	if err != nil {
		return err
	}
	defer c.Close()
	if opt.importPath != "" {
		p := cli.NewProgress(cmd, "import", false)
		st, err := c.Import(ctx, opt.importPath, p.Update)
		p.Done()
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "imported %s: %d transactions (%d records, %d bytes of data)\n",
			opt.importPath, st.Copied, st.Records, st.Bytes)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintln(out, c.URL())
	fmt.Fprintf(out, "admin %s\n", c.AdminAddr())
	if opt.Dir == "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "cluster %q running (databases in %s, removed at exit); Ctrl-C stops it\n", c.Name(), c.Dir())
	} else {
		fmt.Fprintf(cmd.ErrOrStderr(), "cluster %q running (databases in %s); Ctrl-C stops it\n", c.Name(), c.Dir())
	}
	select {
	case <-ctx.Done():
	case <-c.Stopped():
	}
	stop() // a second Ctrl-C kills the process at once
	if err := c.Close(); err != nil {
		return err
	}
	return c.Err()
}
