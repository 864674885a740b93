package zodb

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// DriverOpener opens a storage given its parsed URL. The string form of the
// URL is passed too, for messages and Storage.URL.
type DriverOpener func(ctx context.Context, u *url.URL, rawURL string, opt *Options) (Storage, error)

var drivers struct {
	sync.Mutex
	byScheme map[string]DriverOpener
}

// RegisterDriver makes a storage driver available under a URL scheme. It is
// meant to be called from a driver package's init; registering one scheme
// twice panics, as that is a programming error.
func RegisterDriver(scheme string, open DriverOpener) {
	drivers.Lock()
	defer drivers.Unlock()
	if drivers.byScheme == nil {
		drivers.byScheme = map[string]DriverOpener{}
	}
	if _, dup := drivers.byScheme[scheme]; dup {
		panic("zodb: driver registered twice for scheme " + scheme)
	}
	drivers.byScheme[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	drivers.Lock()
	defer drivers.Unlock()
	var s []string
	for k := range drivers.byScheme {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Open opens the storage a URL names. A string without "scheme://" is a
// path to a FileStorage, as in zodbtools. A URL whose query says
// read_only=true (zodburi's option, which zodbtools honours) opens the
// storage read-only whatever opt says.
func Open(ctx context.Context, rawURL string, opt *Options) (Storage, error) {
	o := Options{}
	if opt != nil {
		o = *opt
	}
	if rawURL == "" {
		return nil, fmt.Errorf("zodb: open: empty storage URL")
	}
	u, err := parseStorageURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("zodb: open %s: %w", rawURL, err)
	}
	ro, err := urlReadOnly(u)
	if err != nil {
		return nil, fmt.Errorf("zodb: open %s: %w", rawURL, err)
	}
	o.ReadOnly = o.ReadOnly || ro
	opt = &o
	drivers.Lock()
	open := drivers.byScheme[u.Scheme]
	drivers.Unlock()
	if open == nil {
		return nil, fmt.Errorf("zodb: open %s: unknown storage scheme %q (known: %s)",
			rawURL, u.Scheme, strings.Join(Schemes(), ", "))
	}
	return open(ctx, u, rawURL, opt)
}

func parseStorageURL(rawURL string) (*url.URL, error) {
	if !strings.Contains(rawURL, "://") {
		// a plain path: it may hold characters a URL parser would take
		// for a query or a fragment, so it is not parsed at all.
		return &url.URL{Scheme: "file", Path: rawURL}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	return u, nil
}

// urlReadOnly reads the read_only option of a storage URL, a boolean as
// zodburi reads it: true/false, yes/no, on/off, 1/0.
func urlReadOnly(u *url.URL) (bool, error) {
	v := u.Query().Get("read_only")
	switch strings.ToLower(v) {
	case "":
		return false, nil
	case "yes", "on":
		return true, nil
	case "no", "off":
		return false, nil
	}
	ro, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("invalid read_only value %q", v)
	}
	return ro, nil
}
