package s3

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/fedcost/fedcost/shared/store/exthttp"
)

// testPKI is an internal CA with a server certificate (127.0.0.1 and s3.internal.test) and a
// client certificate, written as PEM files.
type testPKI struct {
	caFile, clientCert, clientKey string
	serverCert, serverKey         string // PEM files of the server certificate (leaf first) and key
	server                        tls.Certificate
	pool                          *x509.CertPool
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey := mustKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fedcost test internal CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey) {
		key := mustKey(t)
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, key
	}
	srvDER, srvKey := issue(2, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "s3.internal.test"},
		DNSNames:    []string{"s3.internal.test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	cliDER, cliKey := issue(3, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "fedcost-agent"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	p := testPKI{
		caFile:     writePEM(t, dir, "ca.crt", "CERTIFICATE", caDER),
		clientCert: writePEM(t, dir, "client.crt", "CERTIFICATE", cliDER),
		clientKey:  writePEM(t, dir, "client.key", "EC PRIVATE KEY", marshalKey(t, cliKey)),
		serverCert: writePEM(t, dir, "server.crt", "CERTIFICATE", srvDER),
		serverKey:  writePEM(t, dir, "server.key", "EC PRIVATE KEY", marshalKey(t, srvKey)),
		server:     tls.Certificate{Certificate: [][]byte{srvDER, caDER}, PrivateKey: srvKey},
		pool:       x509.NewCertPool(),
	}
	p.pool.AddCert(ca)
	return p
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func marshalKey(t *testing.T, k *ecdsa.PrivateKey) []byte {
	b, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startTLSFake serves gofakes3 over TLS with the PKI's server certificate; requireClientCert
// makes it demand a client certificate signed by the CA (mutual TLS).
func startTLSFake(t *testing.T, p testPKI, bucket string, requireClientCert bool) string {
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12}
	if requireClientCert {
		srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		srv.TLS.ClientCAs = p.pool
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "https://")
}

const anyError = "\x00any error"

func TestInternalCA(t *testing.T) {
	t.Parallel()
	p := newTestPKI(t)
	host := startTLSFake(t, p, "fedcost-tls", false)
	mtlsHost := startTLSFake(t, p, "fedcost-tls", true)
	cases := []struct {
		name    string
		host    string
		tls     func(*Config)
		wantErr string // "" = the write must succeed; anyError = it must fail
	}{
		{"ca_file trusts the internal CA", host, func(c *Config) { c.HTTPConfig.TLSConfig.CAFile = p.caFile }, ""},
		{"without ca_file the server is refused", host, func(c *Config) {}, "certificate signed by unknown authority"},
		{"server_name is checked against the certificate", host, func(c *Config) {
			c.HTTPConfig.TLSConfig.CAFile = p.caFile
			c.HTTPConfig.TLSConfig.ServerName = "other.internal.test"
		}, "other.internal.test"},
		{"server_name naming the certificate", host, func(c *Config) {
			c.HTTPConfig.TLSConfig.CAFile = p.caFile
			c.HTTPConfig.TLSConfig.ServerName = "s3.internal.test"
		}, ""},
		{"http_config.insecure_skip_verify", host, func(c *Config) { c.HTTPConfig.InsecureSkipVerify = true }, ""},
		{"tls_config.insecure_skip_verify", host, func(c *Config) { c.HTTPConfig.TLSConfig.InsecureSkipVerify = true }, ""},
		{"mutual TLS with cert_file and key_file", mtlsHost, func(c *Config) {
			c.HTTPConfig.TLSConfig = exthttpTLS(p.caFile, p.clientCert, p.clientKey)
		}, ""},
		// Under TLS 1.3 the client may see the server's rejection as "certificate required" or
		// only as a reset connection, so any error counts.
		{"mutual TLS without a client certificate", mtlsHost, func(c *Config) { c.HTTPConfig.TLSConfig.CAFile = p.caFile }, anyError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := DefaultConfig()
			c.Bucket, c.Endpoint = "fedcost-tls", tc.host
			c.AccessKey, c.SecretKey = "AKIAFAKE", "fake-secret"
			tc.tls(&c)
			s := mustNew(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := s.Put(ctx, "k", []byte("over tls"))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Put over TLS: %v", err)
			case tc.wantErr == anyError && err == nil:
				t.Fatal("Put over TLS succeeded; want an error")
			case tc.wantErr != "" && tc.wantErr != anyError && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Put over TLS = %v; want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestTLSFilesAreCheckedAtStartup(t *testing.T) {
	t.Parallel()
	notPEM := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(notPEM, []byte("abc . . ."), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, caFile, certFile, keyFile, want string
	}{
		{"missing ca_file", filepath.Join(t.TempDir(), "nope.crt"), "", "", "config.http_config.tls_config.ca_file: read the CA bundle"},
		{"ca_file without PEM", notPEM, "", "", "config.http_config.tls_config.ca_file: " + notPEM + " holds no PEM certificate"},
		{"cert_file without key_file", "", notPEM, "", "config.http_config.tls_config.cert_file and key_file: set both"},
		{"unreadable client pair", "", notPEM, notPEM, "config.http_config.tls_config.cert_file/key_file: load the client certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Bucket, c.Endpoint = "b", "s3.internal.test"
			c.HTTPConfig.TLSConfig = exthttpTLS(tc.caFile, tc.certFile, tc.keyFile)
			_, err := New(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

func exthttpTLS(ca, cert, key string) exthttp.TLSConfig {
	return exthttp.TLSConfig{CAFile: ca, CertFile: cert, KeyFile: key}
}

// TestSDKChainTrust: with aws_sdk_auth the SDK's AWS_CA_BUNDLE is honoured, and adds to (does
// not replace) ca_file.
func TestSDKChainTrust(t *testing.T) {
	p := newTestPKI(t)
	other := newTestPKI(t) // a second, unrelated CA
	host := startTLSFake(t, p, "fedcost-tls", false)
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cases := []struct {
		name, bundle, caFile string
		wantOK               bool
	}{
		{"AWS_CA_BUNDLE names the internal CA", p.caFile, "", true},
		{"ca_file, with an unrelated AWS_CA_BUNDLE", other.caFile, p.caFile, true},
		{"only an unrelated AWS_CA_BUNDLE", other.caFile, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_CA_BUNDLE", tc.bundle)
			c := DefaultConfig()
			c.Bucket, c.Endpoint, c.AWSSDKAuth = "fedcost-tls", host, true
			c.HTTPConfig.TLSConfig.CAFile = tc.caFile
			s := mustNew(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := s.Put(ctx, "k", []byte("x"))
			if (err == nil) != tc.wantOK {
				t.Fatalf("Put = %v; want success %v", err, tc.wantOK)
			}
		})
	}
}
