package client

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
)

// DefaultCacheSize is NEO/py's default cache-size: 20MB.
const DefaultCacheSize = 20 << 20

// Options say how to reach a cluster and how to behave in it.
type Options struct {
	// Cluster is the cluster name; Masters the masters' host:port.
	Cluster string
	Masters []string
	// TLS, when set, runs every link over TLS (neo/link.LoadTLS).
	TLS *tls.Config
	// ReadOnly identifies to the master as a read-only client and refuses
	// writes with zodb.ErrReadOnly.
	ReadOnly bool
	// Compress is the zlib level records are compressed with (a record
	// is sent compressed only when that makes it smaller); -1 disables
	// compression, 0 means zlib's default level as NEO/py's compress=true.
	Compress int
	// CacheSize bounds the cache of object revisions, in bytes of data
	// (DefaultCacheSize when 0, no cache when < 0).
	CacheSize int64
}

// NoCompress is Options.Compress for compress=false.
const NoCompress = -1

// ParseURL reads a neo:// or neos:// URL as NEO/py's zodburi does.
// Options NEO/py does not know are ignored there (they are database
// options); here too, except read_only which zodb.Open reads itself.
func ParseURL(u *url.URL) (*Options, error) {
	if u.Scheme != "neo" && u.Scheme != "neos" {
		return nil, fmt.Errorf("invalid URL scheme %q: expected neo:// or neos://", u.Scheme)
	}
	if u.Path != "" {
		return nil, fmt.Errorf("invalid URL: non-empty path %q", u.Path)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("invalid URL: non-empty fragment %q", u.Fragment)
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("invalid URL: no cluster name (neo://name@master)")
	}
	o := &Options{Cluster: u.User.Username()}
	for _, m := range strings.Split(u.Host, ",") {
		a, err := cluster.ParseAddress(m)
		if err != nil {
			return nil, fmt.Errorf("invalid URL: master %w", err)
		}
		o.Masters = append(o.Masters, a)
	}
	q := u.Query()
	get := func(k string) (string, bool) {
		for _, kk := range []string{k, strings.ReplaceAll(k, "-", "_")} {
			if v, ok := q[kk]; ok && len(v) > 0 {
				return v[len(v)-1], true
			}
		}
		return "", false
	}
	if v, ok := get("compress"); ok {
		lvl, err := parseCompress(v)
		if err != nil {
			return nil, err
		}
		o.Compress = lvl
	}
	if v, ok := get("read-only"); ok {
		ro, err := parseBool(v)
		if err != nil {
			return nil, fmt.Errorf("invalid read_only value %q", v)
		}
		o.ReadOnly = ro
	}
	if v, ok := get("cache-size"); ok {
		n, err := parseByteSize(v)
		if err != nil {
			return nil, fmt.Errorf("invalid cache-size %q: %w", v, err)
		}
		o.CacheSize = n
		if n == 0 {
			o.CacheSize = -1
		}
	}
	if err := o.loadTLS(u.Scheme, get); err != nil {
		return nil, err
	}
	return o, nil
}

// loadTLS takes ca/cert/key from the URL, or for neos:// from $NEO_CA,
// $NEO_CERT, $NEO_KEY as NEO/py's zodburi does.
func (o *Options) loadTLS(scheme string, get func(string) (string, bool)) error {
	files := map[string]string{}
	for _, k := range []string{"ca", "cert", "key"} {
		if v, ok := get(k); ok {
			files[k] = v
			continue
		}
		if scheme == "neos" {
			env := "NEO_" + strings.ToUpper(k)
			v := os.Getenv(env)
			if v == "" {
				return fmt.Errorf("invalid URL: option %s not specified and $%s is also not set", k, env)
			}
			files[k] = v
		}
	}
	if len(files) == 0 {
		return nil
	}
	if len(files) != 3 {
		return fmt.Errorf("invalid URL: TLS needs all of ca, cert and key")
	}
	cfg, err := link.LoadTLS(files["ca"], files["cert"], files["key"])
	if err != nil {
		return err
	}
	o.TLS = cfg
	return nil
}

// parseCompress reads NEO/py's compress option: a boolean or
// zlib[=level].
func parseCompress(v string) (int, error) {
	if b, err := parseBool(v); err == nil {
		if b {
			return 0, nil
		}
		return NoCompress, nil
	}
	s := strings.ToLower(v)
	if s == "zlib" {
		return 0, nil
	}
	if lvl, ok := strings.CutPrefix(s, "zlib="); ok {
		n, err := strconv.Atoi(lvl)
		if err == nil && n >= 1 && n <= 9 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("invalid compress value %q: want a boolean or zlib[=1..9]", v)
}

// parseBool reads a boolean as ZConfig does.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", v)
}

// parseByteSize reads a ZConfig byte-size: a number with an optional
// KB, MB or GB suffix (powers of 1024).
func parseByteSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}} {
		if r, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(r), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a byte size")
	}
	return n * mult, nil
}
