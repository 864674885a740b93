package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
)

// Level returns the slog level a --loglevel name means.
func Level(name string) (slog.Level, error) {
	switch name {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("config: unknown log level %q (debug, info, warn or error)", name)
}

// OpenLog returns the logger of --logfile/--loglevel: text records
// appended to the file (created when missing), or to stderr when file is
// "". The closer closes the file.
func OpenLog(file, level string, stderr io.Writer) (*slog.Logger, io.Closer, error) {
	lv, err := Level(level)
	if err != nil {
		return nil, nil, err
	}
	var w io.Writer = stderr
	var c io.Closer = nopCloser{}
	if file != "" {
		if err := checkNotSQLite(file); err != nil {
			return nil, nil, err
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			return nil, nil, fmt.Errorf("config: log file: %w", err)
		}
		w, c = f, f
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), c, nil
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkNotSQLite refuses a log file NEO/py wrote: NEO/py logs into an
// SQLite database, which text appended by us would corrupt.
func checkNotSQLite(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return nil // missing: created; unreadable: OpenFile says why
	}
	defer f.Close()
	b := make([]byte, len(sqliteMagic))
	if n, _ := io.ReadFull(f, b); n == len(b) && string(b) == sqliteMagic {
		return fmt.Errorf("config: log file %s is an SQLite database (a NEO/py log?): zodbneo writes text logs; give another file", file)
	}
	return nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// Common returns the cluster.Config every node takes, from s: cluster
// name, masters, bind address, TLS (loaded now, so a bad file fails before
// the node starts) and the logger (log, from OpenLog).
func (s *Settings) Common(log *slog.Logger) (cluster.Config, error) {
	cfg := cluster.Config{
		Cluster: s.Cluster,
		Masters: s.Masters,
		Bind:    s.Bind,
		Logger:  log,
	}
	if s.CA != "" {
		tc, err := link.LoadTLS(s.CA, s.Cert, s.Key)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		cfg.TLS = tc
	}
	return cfg, nil
}
