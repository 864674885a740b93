package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/zodb"
)

// writeTLSFiles makes a CA and a certificate it signs, as PEM files
// ca.pem, cert.pem, key.pem in dir.
func writeTLSFiles(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	nodeKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	nodeTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "node"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	nodeDER, err := x509.CreateCertificate(rand.Reader, nodeTmpl, caTmpl, &nodeKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
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
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", nodeDER), write("key.pem", "EC PRIVATE KEY", keyDER)
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
