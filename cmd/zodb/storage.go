package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/fs1"
	"github.com/zodbneo/zodbneo/zodb"
)

// withStorage opens url read-only, as every inspection command does, runs
// f on it and closes it, returning f's error first.
//
// When f succeeds on a FileStorage whose end is torn or unfinished — a
// transaction the storage does not serve, as Python's FileStorage does
// not — a warning on stderr says what is there and where: zodbtools logs
// such a warning too, and the output, which matches zodbtools', lacks it.
func withStorage(cmd *cobra.Command, url string, f func(zodb.Storage) error) (err error) {
	stor, err := zodb.Open(cmd.Context(), url, &zodb.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := stor.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f(stor); err != nil {
		return err
	}
	warnTail(cmd, stor)
	return nil
}

// tailer is a storage that can tell about a torn end of its file.
type tailer interface {
	Tail() *fs1.TornTail
}

func warnTail(cmd *cobra.Command, stor zodb.Storage) {
	ts, ok := stor.(tailer)
	if !ok {
		return
	}
	t := ts.Tail()
	if t == nil {
		return
	}
	what := "the transaction there"
	if t.Tid != 0 {
		what = "transaction " + t.Tid.String()
	}
	// t.Err names the file and the offset.
	fmt.Fprintf(cmd.ErrOrStderr(), "%s: warning: %v; %s is not read\n", cmd.Root().Name(), t.Err, what)
}

// tidRangeArg parses the optional tidrange argument at args[i]; a missing
// one is the whole history. A malformed range is a usage error, as in
// zodbtools.
func tidRangeArg(args []string, i int) (tidMin, tidMax zodb.Tid, err error) {
	if len(args) <= i {
		return 0, zodb.TidMax, nil
	}
	tidMin, tidMax, err = zodb.ParseTidRange(args[i], time.Now())
	if err != nil {
		return 0, 0, &cli.UsageError{Err: err}
	}
	return tidMin, tidMax, nil
}
