package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/config"
)

// node is what every node package gives (the Node API convention).
type node interface {
	Addr() string
	Run(ctx context.Context) error
}

// makeNode builds the node of settings s, with the common config cfg.
type makeNode func(s *config.Settings, cfg cluster.Config) (node, error)

// newNodeCommand builds `neo master|storage|admin`: NEO/py's options,
// parsed by neo/config; the node runs until SIGINT or SIGTERM (or the
// cluster is stopped).
func newNodeCommand(kind config.Kind, short, long, example string, mk makeNode) *cobra.Command {
	cmd := &cobra.Command{
		Use:     string(kind),
		Short:   short,
		Long:    long + nodeOptionsHelp,
		Example: example,
		Args:    cli.ExactArgs(0),
	}
	args := config.AddFlags(kind, cmd.Flags())
	cmd.Flags().SortFlags = false
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		s, err := config.Resolve(kind, args())
		if err != nil {
			return configError(err)
		}
		return runNode(cmd, s, mk)
	}
	return cmd
}

const nodeOptionsHelp = `

Options are NEO/py's: a NEO/py deployment keeps its command lines and its
neo.conf. With -f FILE, options are read from section -s SECTION of that
INI file (option names with underscores; the DEFAULT section is shared by
every node); the command line wins over the file. Options NEO/py has for
features zodbneo lacks are refused when set (backup mode, MySQL); the
ones tuning things zodbneo does not have are accepted with a warning.
Logs are text records on stderr, or in the -l file.`

// configError makes a bad option a usage error (exit status 2, as
// argparse's in NEO/py); a file that cannot be read stays a failure.
func configError(err error) error {
	var oe *config.OptionError
	if errors.As(err, &oe) {
		return &cli.UsageError{Err: err}
	}
	return err
}

func runNode(cmd *cobra.Command, s *config.Settings, mk makeNode) error {
	log, closer, err := config.OpenLog(s.LogFile, s.LogLevel, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer closer.Close()
	for _, w := range s.Warnings {
		log.Warn(w)
	}
	cfg, err := s.Common(log)
	if err != nil {
		return err
	}
	n, err := mk(s, cfg)
	if err != nil {
		return err
	}
	if s.Reset {
		log.Info("database reset", "node", string(s.Kind), "database", s.Database)
	} else {
		log.Info("listening", "node", string(s.Kind), "addr", n.Addr(), "cluster", s.Cluster)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process at once
	}()
	// The node's errors start with its package's name ("storage: ...").
	if err := n.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
