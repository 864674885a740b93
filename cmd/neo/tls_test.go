package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/zodb"
)

// writeTLSFiles makes a CA and one node certificate signed by it (every
// node may share it: NEO checks the chain, not names) and writes ca.crt,
// node.crt and node.key in dir.
func writeTLSFiles(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	create := func(tmpl, parent *x509.Certificate, pub, priv any) []byte {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER := create(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	nodeKey := newKey()
	nodeDER := create(&x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "node"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, caCert, &nodeKey.PublicKey, caKey)
	keyDER, err := x509.MarshalECPrivateKey(nodeKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.crt", "CERTIFICATE", caDER), write("node.crt", "CERTIFICATE", nodeDER),
		write("node.key", "EC PRIVATE KEY", keyDER)
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
