package simple

import (
	"github.com/zodbneo/zodbneo/internal/testcert"
	"strings"
	"testing"

	"github.com/zodbneo/zodbneo/neo/ctl"
)

// writeTLSFiles makes a CA and one node certificate signed by it and
// writes ca.crt, node.crt and node.key in dir (as cmd/neo's test does).
func writeTLSFiles(t *testing.T, dir string) (ca, cert, key string) {
	return testcert.Files(t, dir)
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
