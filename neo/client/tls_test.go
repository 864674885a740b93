package client_test

import (
	"context"
	"github.com/zodbneo/zodbneo/internal/testcert"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/zodb"
)

// writeTLSFiles makes a CA and a certificate it signs, as PEM files
// ca.pem, cert.pem, key.pem in dir.
func writeTLSFiles(t *testing.T, dir string) (ca, cert, key string) {
	return testcert.Files(t, dir)
}

// TestTLS: a neos:// client (credentials from the environment, as
// NEO/py's zodburi takes them) commits to and loads from a cluster
// running over TLS; a plain neo:// client does not get in.
func TestTLS(t *testing.T) {
	ca, cert, key := writeTLSFiles(t, t.TempDir())
	cfg, err := link.LoadTLS(ca, cert, key)
	if err != nil {
		t.Fatal(err)
	}
	c := newTestCluster(t, clusterOpt{tls: cfg})
	t.Setenv("NEO_CA", ca)
	t.Setenv("NEO_CERT", cert)
	t.Setenv("NEO_KEY", key)
	cl := openClient(t, "neos://test@"+c.masterAddr)
	ctx := context.Background()
	oid, err := cl.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tid := commitOne(t, cl, oid, 0, "over TLS")
	if data, serial, err := cl.Load(ctx, zodb.Xid{At: tid, Oid: oid}); err != nil || string(data) != "over TLS" || serial != tid {
		t.Errorf("load: %q @%s %v", data, serial, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if s, err := zodb.Open(ctx, "neo://test@"+c.masterAddr, nil); err == nil {
		s.Close()
		t.Error("a client without TLS got in")
	}
}
