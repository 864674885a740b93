package storage

import (
	"context"
	"crypto/tls"
	"github.com/zodbneo/zodbneo/internal/testcert"
	"path/filepath"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// testTLS returns a TLS configuration trusting a new CA and presenting a
// certificate it issued, for every node of a test (NEO/py's --ca/--cert/
// --key with one certificate).
func testTLS(t *testing.T) *tls.Config {
	t.Helper()
	cfg, err := link.LoadTLS(testcert.Files(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// With TLS, the storage talks TLS to the master and to clients.
func TestTLS(t *testing.T) {
	cfg := testTLS(t)
	m := newScriptedMasterTLS(t, cfg)
	st, err := New(Config{Config: cluster.Config{Cluster: testCluster, Masters: []string{m.ln.Addr().String()},
		Bind: "127.0.0.1:0", TLS: cfg, Logger: discardLog}, Adapter: "SQLite", Database: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	ml := m.accept()
	m.identifyStorage(ml, st, proto.NoNID)
	ask(t, ml, &proto.NoArgs{PacketCode: proto.CodeAskRecovery})
	m.start(ml, 1)

	dctx, dcancel := context.WithTimeout(ctx, waitLimit)
	defer dcancel()
	// A plain client does not get through.
	if plain, err := link.Dial(dctx, "tcp", st.Addr(), link.Options{HandshakeTimeout: time.Second}); err == nil {
		_, err = plain.Identify(dctx, &proto.RequestIdentification{NodeType: proto.Client, NID: nidC1, ClusterName: testCluster, IDTimestamp: idtsC1})
		plain.Close()
		if err == nil {
			t.Fatal("plain client identified to a TLS storage")
		}
	}
	cl, err := link.Dial(dctx, "tcp", st.Addr(), link.Options{TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Identify(dctx, &proto.RequestIdentification{NodeType: proto.Client, NID: nidC1, ClusterName: testCluster, IDTimestamp: idtsC1}); err != nil {
		t.Fatal(err)
	}
	commitOne(t, ml, cl, 0x100, 0x101, 0, 0, "tls")
	if o := ask(t, cl, &proto.AskObject{Oid: 0, At: proto.NoTid, Before: proto.NoTid}).(*proto.AnswerObject); string(o.Data) != "tls" {
		t.Fatalf("load over TLS: %+v", o)
	}
}
