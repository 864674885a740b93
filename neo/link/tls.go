package link

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
)

// startTLS runs the TLS handshake over conn, before the NEO handshake (as
// NEO/py does when it has --ca/--cert/--key). The caller closes conn on
// error.
func startTLS(ctx context.Context, conn net.Conn, cfg *tls.Config, client bool) (net.Conn, error) {
	var tc *tls.Conn
	if client {
		tc = tls.Client(conn, cfg)
	} else {
		tc = tls.Server(conn, cfg)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("link: TLS handshake: %w", err)
	}
	return tc, nil
}

// LoadTLS makes the mutual-auth TLS config of NEO/py's --ca/--cert/--key
// (an SSLContext with CERT_REQUIRED and no hostname check): both ends
// present the certificate in certFile (key in keyFile) and require the
// peer's to be signed by the CA in caFile. It serves both Dial and NewLink.
func LoadTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("link: TLS CA: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("link: TLS certificate: %w", err)
	}
	return NewTLSConfig(caPEM, cert)
}

// NewTLSConfig is LoadTLS with the CA certificate(s) as PEM and the
// node's certificate already loaded.
func NewTLSConfig(caPEM []byte, cert tls.Certificate) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("link: TLS CA: no PEM certificate found")
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		RootCAs:      pool,
		MinVersion:   tls.VersionTLS12,
		// NEO/py checks the chain, not the host name: the client verifies
		// the server's chain itself in VerifyConnection.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("link: TLS: peer sent no certificate")
			}
			opts := x509.VerifyOptions{
				Roots:         pool,
				Intermediates: x509.NewCertPool(),
				KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
			}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
				return fmt.Errorf("link: TLS: peer certificate: %w", err)
			}
			return nil
		},
	}, nil
}

// TLSFiles reports whether NEO/py's --ca/--cert/--key ask for TLS (all
// three given) and whether they are partial (some, not all: an error).
func TLSFiles(ca, cert, key string) (ok bool, partial bool) {
	n := 0
	for _, f := range []string{ca, cert, key} {
		if f != "" {
			n++
		}
	}
	return n == 3, n != 0 && n != 3
}
