package client_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	_ "github.com/zodbneo/zodbneo/fs1" // the FileStorage driver
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
	"github.com/zodbneo/zodbneo/zodb/storagetest"
)

// TestConvert copies a FileStorage made by Python ZODB (with undo
// records: backpointers) into a cluster with restore, then checks that
// the cluster dumps as the file does and passes the read suite.
func TestConvert(t *testing.T) {
	const src = "../../testdata/fs1/small/small.fs"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fs, err := zodb.Open(ctx, src, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	c := newTestCluster(t, clusterOpt{partitions: 5})
	dst := openClient(t, c.url())
	st, err := tools.Convert(ctx, fs, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied == 0 {
		t.Fatalf("nothing copied: %+v", st)
	}
	// A second run finds everything there.
	if st, err := tools.Convert(ctx, fs, dst, nil); err != nil || st.Copied != 0 {
		t.Errorf("second convert: %+v %v", st, err)
	}
	var want, got bytes.Buffer
	if err := tools.Dump(ctx, &want, fs, 0, zodb.TidMax, nil); err != nil {
		t.Fatal(err)
	}
	fresh := openClient(t, c.url())
	if err := tools.Dump(ctx, &got, fresh, 0, zodb.TidMax, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Errorf("dump of the cluster differs from the file's (%d and %d bytes)", got.Len(), want.Len())
	}
	storagetest.RunReadSuite(t, func(t *testing.T) zodb.Storage { return openClient(t, c.url()) }, nil)
}

// TestMasterList: a dead address first in the masters list is skipped.
func TestMasterList(t *testing.T) {
	c := newTestCluster(t, clusterOpt{})
	cl := openClient(t, "neo://test@127.0.0.1:1,"+c.masterAddr)
	if _, err := cl.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}
