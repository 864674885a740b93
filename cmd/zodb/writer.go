package main

import (
	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/zodb"
)

// withWriter opens url for writing, runs f on it and closes it, returning
// f's error first. A URL whose query says read_only=true opens read-only
// (zodb.Open reads the option), and then fails here with zodb.ErrReadOnly,
// as zodbtools' writes do.
func withWriter(cmd *cobra.Command, rawURL string, f func(zodb.Writer) error) (err error) {
	stor, err := zodb.Open(cmd.Context(), rawURL, nil)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := stor.Close(); err == nil {
			err = cerr
		}
	}()
	w, ok := stor.(zodb.Writer)
	if !ok || isReadOnly(stor) {
		return &zodb.OpError{URL: rawURL, Op: "open for writing", Err: zodb.ErrReadOnly}
	}
	return f(w)
}

// isReadOnly tells whether a storage says it was opened read-only.
func isReadOnly(stor zodb.Storage) bool {
	ro, ok := stor.(interface{ ReadOnly() bool })
	return ok && ro.ReadOnly()
}
