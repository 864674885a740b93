package simple

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/ctl"
)

// writeTLSFiles makes a CA and one node certificate signed by it and
// writes ca.crt, node.crt and node.key in dir (as cmd/neo's test does).
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

// TestTLS runs a cluster over TLS: a neos:// client commits and loads, the
// admin answers over TLS.
func TestTLS(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	ca, cert, key := writeTLSFiles(t, dir)
	c, err := Start(ctx, Options{CA: ca, Cert: cert, Key: key, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if want := "neos://simple@" + c.MasterAddr() + "?ca=" + ca + "&cert=" + cert + "&key=" + key; c.URL() != want || c.TLS() == nil {
		t.Errorf("URL %q", c.URL())
	}
	oid, tid := commit(t, ctx, c.URL(), []byte("secret"))
	if data, serial := load(t, ctx, c.URL(), oid); string(data) != "secret" || serial != tid {
		t.Errorf("load: %q @%v", data, serial)
	}
	cl, err := ctl.Dial(ctx, c.AdminAddr(), c.TLS())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if out, err := ctl.Run(ctx, cl, []string{"print", "cluster"}); err != nil || out != "RUNNING\n" {
		t.Errorf("print cluster: %q, %v", out, err)
	}
	if _, err := Start(ctx, Options{CA: ca}); err == nil || !strings.Contains(err.Error(), "all of CA, Cert and Key") {
		t.Errorf("CA alone: %v", err)
	}
}
