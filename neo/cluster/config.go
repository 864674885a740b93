package cluster

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// Config is what every node takes, from NEO/py's common options: -c/--cluster,
// -m/--masters, -b/--bind, --ca/--cert/--key and the logger.
type Config struct {
	// Cluster is the cluster name every node and client must send.
	Cluster string
	// Masters are the masters' addresses, host:port.
	Masters []string
	// Bind is the address to listen on (host:port, port 0 = any free
	// port); nodes that do not listen ignore it.
	Bind string
	// TLS, when set, runs every connection over TLS (neo/link.LoadTLS).
	TLS *tls.Config
	// Logger receives the node's log; nil means slog.Default(). Nodes add
	// their NID to it once they have one.
	Logger *slog.Logger
}

// Log returns c.Logger or slog.Default().
func (c *Config) Log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// ParseMasters splits a masters list as NEO/py's -m option takes it:
// addresses separated by spaces or commas, each host:port with IPv6
// hosts in brackets. A missing port is an error.
func ParseMasters(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		a, err := ParseAddress(f)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no master address in %q", s)
	}
	return out, nil
}

// ParseAddress checks one host:port and returns it in net.JoinHostPort's
// form.
func ParseAddress(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("bad address %q: %v", s, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("bad address %q: bad port", s)
	}
	return net.JoinHostPort(host, port), nil
}

// Listen listens on bind (127.0.0.1 and a free port when empty), as every
// node does before it identifies, and returns the address to announce.
func Listen(bind string) (net.Listener, *proto.Address, error) {
	if bind == "" {
		bind = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, nil, err
	}
	a := ln.Addr().(*net.TCPAddr)
	return ln, &proto.Address{Host: a.IP.String(), Port: uint16(a.Port)}, nil
}
