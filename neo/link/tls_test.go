package link

import (
	"context"
	"crypto/tls"
	"github.com/zodbneo/zodbneo/internal/testcert"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// testCA is a CA made for a test, issuing node certificates.
type testCA struct{ *testcert.CA }

func newTestCA(t *testing.T, name string) *testCA { return &testCA{testcert.NewCA(t, name)} }

// config returns the TLS config of a node whose certificate ca issued,
// loaded from files by LoadTLS, trusting trust.
func (ca *testCA) config(t *testing.T, trust *testCA, name string) *tls.Config {
	t.Helper()
	dir := t.TempDir()
	certPEM, keyPEM := ca.Issue(t, name)
	files := map[string][]byte{"ca.pem": trust.PEM, "cert.pem": certPEM, "key.pem": keyPEM}
	for f, b := range files {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := LoadTLS(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestTLS(t *testing.T) {
	ca := newTestCA(t, "neo ca")
	srv := Options{Handler: echoHandler(nil, nil), TLS: ca.config(t, ca, "master")}
	cli := Options{TLS: ca.config(t, ca, "client")}
	cl, sl := pair(t, srv, cli)
	if _, ok := cl.conn.(*tls.Conn); !ok {
		t.Fatalf("client conn %T, want *tls.Conn", cl.conn)
	}
	if _, ok := sl.conn.(*tls.Conn); !ok {
		t.Fatalf("server conn %T, want *tls.Conn", sl.conn)
	}
	for i := 0; i < 3; i++ {
		m, err := cl.Ask(context.Background(), ping())
		if err != nil {
			t.Fatal(err)
		}
		if m.Code() != pong().Code() {
			t.Fatalf("answer %T", m)
		}
	}
}

// tryPair is pair returning both ends' errors instead of failing.
func tryPair(t *testing.T, server, client Options) (cerr, serr error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			var l *Link
			l, err = NewLink(c, server)
			if l != nil {
				l.Close()
			}
		}
		ch <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, cerr := Dial(ctx, "tcp", ln.Addr().String(), client)
	if l != nil {
		l.Close()
	}
	select {
	case serr = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("server end hangs")
	}
	return cerr, serr
}

func TestTLSOtherCA(t *testing.T) {
	ca, other := newTestCA(t, "neo ca"), newTestCA(t, "other ca")
	good := Options{Handler: echoHandler(nil, nil), TLS: ca.config(t, ca, "master")}
	bad := Options{TLS: other.config(t, ca, "intruder")} // trusts ca, cert from other
	cerr, serr := tryPair(t, good, bad)
	if serr == nil || !strings.Contains(serr.Error(), "link: TLS") || !strings.Contains(serr.Error(), "certificate") {
		t.Errorf("server: %v, want a TLS certificate error", serr)
	}
	if cerr == nil {
		t.Errorf("client with a certificate of another CA connected")
	}
	// The other way: the server's certificate is from another CA.
	cerr, serr = tryPair(t, Options{TLS: other.config(t, ca, "intruder")}, Options{TLS: ca.config(t, ca, "client")})
	if cerr == nil || !strings.Contains(cerr.Error(), "link: TLS") || !strings.Contains(cerr.Error(), "certificate") {
		t.Errorf("client: %v, want a TLS certificate error", cerr)
	}
	if serr == nil {
		t.Errorf("server accepted")
	}
}

func TestTLSAgainstPlain(t *testing.T) {
	ca := newTestCA(t, "neo ca")
	for _, tc := range []struct {
		name     string
		srv, cli Options
	}{
		{"tls server", Options{TLS: ca.config(t, ca, "master")}, Options{}},
		{"tls client", Options{}, Options{TLS: ca.config(t, ca, "client")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cerr, serr := tryPair(t, tc.srv, tc.cli)
			if cerr == nil || serr == nil {
				t.Fatalf("client %v, server %v: want both to fail", cerr, serr)
			}
			t.Logf("client: %v; server: %v", cerr, serr)
		})
	}
}

// TestTLSSilentPeer: the TLS handshake is bounded by HandshakeTimeout.
func TestTLSSilentPeer(t *testing.T) {
	ca := newTestCA(t, "neo ca")
	addr := rawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	start := time.Now()
	_, err := Dial(context.Background(), "tcp", addr, Options{TLS: ca.config(t, ca, "client"), HandshakeTimeout: 100 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "link: TLS handshake") {
		t.Fatalf("Dial to a silent peer: %v, want a TLS handshake error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Dial took %v", d)
	}
}

// TestTLSIdentify identifies over TLS.
func TestTLSIdentify(t *testing.T) {
	ca := newTestCA(t, "neo ca")
	m1, _ := MakeNID(proto.Master, 1)
	p := Policy{ClusterName: "test", NodeType: proto.Master, NID: m1, Assign: true}
	cl, _ := pair(t, Options{Handler: identServer(p), TLS: ca.config(t, ca, "master")}, Options{TLS: ca.config(t, ca, "storage")})
	acc, err := cl.Identify(context.Background(), &proto.RequestIdentification{NodeType: proto.Storage, ClusterName: "test", IDTimestamp: proto.NoTime, Extra: proto.Raw{0x80}})
	if err != nil {
		t.Fatal(err)
	}
	if acc.MyNID.String() != "M1" || acc.YourNID.String() != "S1" {
		t.Fatalf("accepted %v %v, want M1 S1", acc.MyNID, acc.YourNID)
	}
}
