package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
)

// Settings are a node's resolved options, checked and typed.
type Settings struct {
	Kind    Kind
	Cluster string
	// Masters: the masters' addresses (empty for a lone master).
	Masters []string
	// Bind: host:port to listen on (port 0: any free port).
	Bind string

	LogFile  string // "" logs to stderr
	LogLevel string // debug, info, warn or error

	// CA, Cert, Key: the TLS files, all three or none.
	CA, Cert, Key string

	// master
	Autostart  int // 0: start only on `neo ctl start`
	Partitions uint32
	Replicas   uint32

	// storage
	Adapter  string
	Database string
	Reset    bool
	Dedup    bool

	// Warnings name the options given that zodbneo ignores; the command
	// logs them.
	Warnings []string
}

func settings(k Kind, opts []Option, vals map[string]value) (*Settings, error) {
	s := &Settings{Kind: k}
	for i := range opts {
		o := &opts[i]
		v, ok := vals[o.Name]
		if !ok {
			continue
		}
		if err := s.set(o, v); err != nil {
			return nil, &OptionError{Option: o.Name, Source: v.source, Err: err}
		}
	}
	if err := s.checkTLS(); err != nil {
		return nil, err
	}
	return s, nil
}

// set converts one option's value into s.
func (s *Settings) set(o *Option, v value) error {
	strs := make([]string, len(v.strs))
	for i, raw := range v.strs {
		c, err := convert(o, raw)
		if err != nil {
			return err
		}
		strs[i] = c
	}
	given := v.source != ""
	switch o.Support {
	case Unsupported:
		if given && !isZero(o, strs) {
			return errors.New("not supported by zodbneo")
		}
		return nil
	case Ignored:
		if given && !isZero(o, strs) {
			s.Warnings = append(s.Warnings, fmt.Sprintf("option --%s (%s) has no effect in zodbneo", o.Name, v.source))
		}
		return nil
	}
	if o.Multiple {
		return nil // no supported option is multiple
	}
	return s.setOne(o.Name, strs[0])
}

// isZero reports whether an unsupported or ignored option was given its
// neutral value (false, its default), which asks for nothing.
func isZero(o *Option, strs []string) bool {
	if len(strs) == 0 {
		return true
	}
	return (o.Type == Bool && strs[0] == "false") || (o.HasDefault && strs[0] == o.Default)
}

func (s *Settings) setOne(name, v string) error {
	var err error
	switch name {
	case optCluster:
		s.Cluster = v
	case optMasters:
		if strings.TrimSpace(v) != "" {
			s.Masters, err = cluster.ParseMasters(v)
		}
	case optBind:
		s.Bind, err = ParseAddress(v, 0)
	case optLogfile:
		s.LogFile = v
	case optLoglevel:
		s.LogLevel = v
	case optCA:
		s.CA = v
	case optCert:
		s.Cert = v
	case optKey:
		s.Key = v
	case optAutostart:
		s.Autostart, err = nonNegative(v)
	case optReplicas:
		s.Replicas, err = uint32Value(v)
	case optParts:
		s.Partitions, err = uint32Value(v)
		if err == nil && s.Partitions == 0 {
			err = errors.New("need at least 1 partition")
		}
	case optAdapter:
		s.Adapter = v
		if v != "SQLite" {
			err = fmt.Errorf("adapter %s is not supported by zodbneo (SQLite only)", v)
		}
	case optDatabase:
		// NEO/py's SQLite adapter expands ~ in a path, not in a URI.
		s.Database = v
		if !strings.HasPrefix(v, "file:") {
			s.Database, err = expandUser(v)
		}
	case optReset:
		s.Reset = v == "true"
	case optDedup:
		s.Dedup = v == "true"
	}
	return err
}

func nonNegative(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n < 0 {
		err = fmt.Errorf("%d is negative", n)
	}
	return n, err
}

func uint32Value(v string) (uint32, error) {
	n, err := nonNegative(v)
	if err == nil && n > math.MaxUint32 {
		err = fmt.Errorf("%d is too large", n)
	}
	return uint32(n), err
}

func (s *Settings) checkTLS() error {
	if _, partial := link.TLSFiles(s.CA, s.Cert, s.Key); partial {
		return &OptionError{Option: optCA, Err: errors.New("to enable TLS, give all 3 files: --ca (the CA certificate), --cert and --key (this node's certificate and private key)")}
	}
	return nil
}

// convert checks one raw value as the option's type reads it (NEO/py's
// Option.type) and returns its canonical text.
func convert(o *Option, raw string) (string, error) {
	var out string
	switch o.Type {
	case String:
		if raw == "" && !o.AllowEmpty {
			return "", errors.New("value is empty")
		}
		out = raw
	case Path:
		p, err := expandUser(raw)
		if err != nil {
			return "", err
		}
		out = p
	case Int:
		n, err := parseInt(raw)
		if err != nil {
			return "", err
		}
		out = strconv.FormatInt(n, 10)
	case Float:
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return "", fmt.Errorf("invalid float value: %q", raw)
		}
		out = strconv.FormatFloat(f, 'g', -1, 64)
		if raw == o.Default {
			out = raw
		}
	case Bool:
		out = raw
	}
	if len(o.Choices) > 0 && !slices.Contains(o.Choices, out) {
		return "", fmt.Errorf("invalid choice: %q (choose from %s)", out, strings.Join(o.Choices, ", "))
	}
	return out, nil
}

// parseInt reads an integer as Python's int() does: blanks around, a
// sign, and single underscores between digits allowed.
func parseInt(raw string) (int64, error) {
	s := strings.TrimSpace(raw)
	digits := strings.TrimLeft(s, "+-")
	if strings.Contains(s, "_") {
		if strings.HasPrefix(digits, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
			return 0, fmt.Errorf("invalid int value: %q", raw)
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid int value: %q", raw)
	}
	return n, nil
}

// expandUser expands a leading ~ or ~user as Python's
// os.path.expanduser does; a path without one is returned as it is.
func expandUser(p string) (string, error) {
	if !strings.HasPrefix(p, "~") {
		return p, nil
	}
	name, _, _ := strings.Cut(p[1:], "/")
	var home string
	if name == "" {
		home = os.Getenv("HOME")
		if home == "" {
			u, err := user.Current()
			if err != nil {
				return p, nil // Python leaves the path as it is
			}
			home = u.HomeDir
		}
	} else {
		u, err := user.Lookup(name)
		if err != nil {
			return p, nil
		}
		home = u.HomeDir
	}
	if out := strings.TrimRight(home, "/") + p[1+len(name):]; out != "" {
		return out, nil
	}
	return "/", nil
}

// ParseAddress reads a node address as NEO/py's parseNodeAddress: "[v6]:port",
// "[v6]", "host:port", or "host" (an address with several colons and no
// brackets is an IPv6 host); a missing port is defPort. It returns
// host:port as net.JoinHostPort writes it.
func ParseAddress(s string, defPort int) (string, error) {
	host, port := s, ""
	switch {
	case strings.HasPrefix(s, "["):
		h, rest, ok := strings.Cut(s[1:], "]")
		if !ok {
			return "", fmt.Errorf("bad address %q: no closing ]", s)
		}
		host = h
		if strings.HasPrefix(rest, ":") {
			port = rest[1:]
		}
	case strings.Count(s, ":") == 1:
		host, port, _ = strings.Cut(s, ":")
	}
	if port == "" {
		port = strconv.Itoa(defPort)
	}
	a, err := cluster.ParseAddress(joinHostPort(host, port))
	if err != nil {
		return "", err
	}
	return a, nil
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}
