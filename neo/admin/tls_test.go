package admin

import (
	"context"
	"crypto/tls"
	"github.com/zodbneo/zodbneo/internal/testcert"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/master"
)

// testTLS makes a CA and one certificate it signs, shared by every node
// as a NEO/py deployment does with --ca/--cert/--key.
func testTLS(t *testing.T) *tls.Config {
	t.Helper()
	cfg, err := link.LoadTLS(testcert.Files(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestAdminTLS(t *testing.T) {
	cfg := testTLS(t)
	m, err := master.New(master.Config{Config: cluster.Config{Cluster: "ttls", Bind: "127.0.0.1:0", TLS: cfg, Logger: quiet}, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	start(t, "master", m)
	a, err := New(Config{Config: cluster.Config{Cluster: "ttls", Masters: []string{m.Addr()}, Bind: "127.0.0.1:0", TLS: cfg, Logger: quiet}})
	if err != nil {
		t.Fatal(err)
	}
	start(t, "admin", a)
	ctx := context.Background()
	for i := 0; ; i++ {
		c, err := ctl.Dial(ctx, a.Addr(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		out, err := ctl.Run(ctx, c, []string{"print", "primary"})
		c.Close()
		if err == nil {
			if out != "M1\n" {
				t.Fatalf("print primary: %q", out)
			}
			break
		}
		if i == 1000 {
			t.Fatalf("print primary over TLS: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // the admin is still reaching the master
	}
	// neoctl without TLS gets nothing from a TLS admin.
	c, err := ctl.Dial(ctx, a.Addr(), nil)
	if err == nil {
		_, err = ctl.Run(ctx, c, []string{"print", "cluster"})
		c.Close()
	}
	if err == nil {
		t.Fatal("plain neoctl served by a TLS admin")
	}
}
