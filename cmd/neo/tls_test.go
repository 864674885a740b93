package main

import (
	"github.com/zodbneo/zodbneo/internal/testcert"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/zodb"
)

// writeTLSFiles makes a CA and one node certificate signed by it (every
// node may share it: NEO checks the chain, not names) and writes ca.crt,
// node.crt and node.key in dir.
func writeTLSFiles(t *testing.T, dir string) (ca, cert, key string) {
	return testcert.Files(t, dir)
}

// TestNodeCommandsTLS runs master, storage and admin with --ca/--cert/--key,
// then neo ctl and a neos:// client over TLS; neo ctl without TLS gets an
// error, not a hang.
func TestNodeCommandsTLS(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	ca, cert, key := writeTLSFiles(t, dir)
	tlsArgs := []string{"--ca", ca, "--cert", cert, "--key", key}
	node := func(args ...string) *running {
		return startNode(t, append(args, tlsArgs...)...)
	}
	m := node("master", "-c", "cmdtls", "-b", "127.0.0.1:0", "-A", "1", "-p", "2", "--loglevel", "info")
	defer m.stop(t)
	s := node("storage", "-c", "cmdtls", "-m", m.addr, "-b", "127.0.0.1", "-d", filepath.Join(dir, "s.db"), "--loglevel", "info")
	defer s.stop(t)
	a := node("admin", "-c", "cmdtls", "-m", m.addr, "-b", "127.0.0.1:0", "--loglevel", "info")
	defer a.stop(t)

	q := url.Values{"ca": {ca}, "cert": {cert}, "key": {key}}
	st, err := zodb.Open(ctx, "neos://cmdtls@"+m.addr+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := st.(zodb.Writer)
	oid, err := w.NewOid(ctx)
	if err != nil {
		t.Fatal(err)
	}
	txn, err := w.Begin(ctx, zodb.TxnMeta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Store(ctx, oid, 0, []byte("over TLS")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Finish(ctx); err != nil {
		t.Fatal(err)
	}

	status, out, errOut := cli.Capture(newRootCommand(), append([]string{"ctl", "-a", a.addr}, append(tlsArgs, "print", "cluster")...))
	if status != 0 || out != "RUNNING\n" {
		t.Errorf("neo ctl over TLS: status %d, %q, %q", status, out, errOut)
	}
	status, _, errOut = cli.Capture(newRootCommand(), []string{"ctl", "-a", a.addr, "print", "cluster"})
	if status != 1 || !strings.Contains(errOut, "ERROR: not connected") {
		t.Errorf("neo ctl without TLS: status %d, %q", status, errOut)
	}
}
