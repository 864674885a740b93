package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/zodb"
)

// withWriter opens url for writing, runs f on it and closes it, returning
// f's error first. A URL whose query says read_only=true — zodburi's
// option, which zodbtools honours — opens read-only, so that f's writes
// fail with zodb.ErrReadOnly as they do in zodbtools.
func withWriter(cmd *cobra.Command, rawURL string, f func(zodb.Writer) error) (err error) {
	readOnly, err := urlReadOnly(rawURL)
	if err != nil {
		return err
	}
	stor, err := zodb.Open(cmd.Context(), rawURL, &zodb.Options{ReadOnly: readOnly})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := stor.Close(); err == nil {
			err = cerr
		}
	}()
	w, ok := stor.(zodb.Writer)
	if !ok || readOnly {
		return &zodb.OpError{URL: rawURL, Op: "open for writing", Err: zodb.ErrReadOnly}
	}
	return f(w)
}

// urlReadOnly reads the read_only option of a storage URL. A plain path
// has no options: zodb.Open takes it whole as a file name.
func urlReadOnly(rawURL string) (bool, error) {
	if !strings.Contains(rawURL, "://") {
		return false, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return false, fmt.Errorf("zodb: open %s: invalid URL: %w", rawURL, err)
	}
	v := u.Query().Get("read_only")
	if v == "" {
		return false, nil
	}
	// zodburi's boolean: true/false, yes/no, on/off, 1/0
	switch strings.ToLower(v) {
	case "yes", "on":
		return true, nil
	case "no", "off":
		return false, nil
	}
	ro, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("zodb: open %s: invalid read_only value %q", rawURL, v)
	}
	return ro, nil
}
