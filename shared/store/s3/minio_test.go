package s3

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/storetest"
	"github.com/fedcost/fedcost/shared/testenv"
)

const (
	minioUser     = "fedcost-minio-admin"
	minioPassword = "fedcost-minio-password-not-secret"
)

// startMinIO runs a real MinIO server on 127.0.0.1 for the test, creates bucket, and returns a
// Config for it. It skips (or fails under FEDCOST_REQUIRE_TOOLS=1) when MinIO is not installed.
func startMinIO(t testing.TB, bucket string) Config {
	t.Helper()
	return startMinIOWith(t, bucket, nil)
}

// startMinIOWith is startMinIO; with pki, MinIO serves HTTPS with the PKI's server certificate
// (--certs-dir) and the returned Config trusts the PKI's CA through ca_file.
func startMinIOWith(t testing.TB, bucket string, pki *testPKI) Config {
	t.Helper()
	bin := testenv.Tool(t, "minio", "scripts/install-tools.sh minio")
	port, console := testenv.FreePort(t), testenv.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	args := []string{"server", t.TempDir(), "--quiet", "--address", addr, "--console-address", fmt.Sprintf("127.0.0.1:%d", console)}
	if pki != nil {
		certs := t.TempDir()
		copyFile(t, pki.serverCert, filepath.Join(certs, "public.crt"))
		copyFile(t, pki.serverKey, filepath.Join(certs, "private.key"))
		args = append(args, "--certs-dir", certs)
	}
	proc := testenv.Start(t, []string{
		"MINIO_ROOT_USER=" + minioUser,
		"MINIO_ROOT_PASSWORD=" + minioPassword,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	}, bin, args...)
	waitMinIO(t, proc, addr, pki)

	c := DefaultConfig()
	c.Bucket = bucket
	c.Endpoint = addr
	c.Insecure = pki == nil
	if pki != nil {
		c.HTTPConfig.TLSConfig.CAFile = pki.caFile
	}
	c.AccessKey = minioUser
	c.SecretKey = minioPassword
	s, err := New(context.Background(), c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	if _, err := s.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket %s on MinIO: %v", bucket, err)
	}
	return c
}

// waitMinIO waits until MinIO itself answers its liveness probe on addr. Any HTTP answer is not
// enough: another test's server may have taken the port between FreePort and the start.
func waitMinIO(t testing.TB, proc *testenv.Process, addr string, pki *testPKI) {
	t.Helper()
	client, url := http.DefaultClient, "http://"+addr+"/minio/health/live"
	if pki != nil {
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.pool, MinVersion: tls.VersionTLS12}}}
		url = "https://" + addr + "/minio/health/live"
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(resp.Header.Get("Server"), "MinIO") {
				return
			}
		}
		if out := proc.Output(); strings.Contains(out, "already in use") || time.Now().After(deadline) {
			t.Fatalf("MinIO did not start on %s (last probe: %v):\n%s", addr, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func minioVersion() string {
	b, err := os.ReadFile(testenv.CacheDir() + "/bin/.minio.version")
	if err != nil {
		return "unknown version"
	}
	return strings.TrimSpace(string(b))
}

func TestAcceptanceMinIO(t *testing.T) {
	c := startMinIO(t, "fedcost-acceptance")
	c.PartSize = MinPartSize // the suite's large object takes the multipart path
	t.Logf("target: MinIO (%s) at %s, part_size %d", minioVersion(), c.Endpoint, c.PartSize)
	newStore := func(t *testing.T) store.Store { return mustNew(t, c) }
	opts := storetest.Options{VersionsAreContentHashes: true, LargeObjectSize: int(c.PartSize)}
	t.Run("plain", func(t *testing.T) { storetest.Acceptance(t, newStore, opts) })
	t.Run("prefixed", func(t *testing.T) {
		storetest.Acceptance(t, func(t *testing.T) store.Store { return store.WithPrefix(newStore(t), "tenant/a") }, opts)
	})
}

// TestMinIOConditionalMultipart: on a real server the precondition on CompleteMultipartUpload
// is enforced, so a multipart write is conditional as a whole.
func TestMinIOConditionalMultipart(t *testing.T) {
	c := startMinIO(t, "fedcost-multipart")
	c.PartSize = MinPartSize
	s := mustNew(t, c)
	ctx := context.Background()
	big := make([]byte, 2*MinPartSize+10)
	v1, err := s.PutIfAbsent(ctx, "big", big)
	if err != nil {
		t.Fatalf("PutIfAbsent: %v", err)
	}
	if _, err := s.PutIfAbsent(ctx, "big", big); !errors.Is(err, store.ErrPreconditionFailed) {
		t.Fatalf("second multipart PutIfAbsent = %v; want ErrPreconditionFailed", err)
	}
	if _, err := s.PutIfMatch(ctx, "big", big, `"00000000000000000000000000000000-3"`); !errors.Is(err, store.ErrPreconditionFailed) {
		t.Fatalf("multipart PutIfMatch(stale) = %v; want ErrPreconditionFailed", err)
	}
	big[0] = 1
	v2, err := s.PutIfMatch(ctx, "big", big, v1)
	if err != nil || v2 == v1 {
		t.Fatalf("multipart PutIfMatch(current) = %s, %v; want a new version", v2, err)
	}
	if info, err := s.Stat(ctx, "big"); err != nil || info.Version != v2 {
		t.Fatalf("Stat = %+v, %v; want version %s", info, err, v2)
	}
	// Aborted uploads leave nothing behind.
	out, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &c.Bucket})
	if err != nil || len(out.Uploads) != 0 {
		t.Fatalf("ListMultipartUploads = %d uploads, %v; want none left", len(out.Uploads), err)
	}
}

// TestMinIOWrongSecret: bad credentials give ErrAccessDenied, and the secret is in no error.
func TestMinIOWrongSecret(t *testing.T) {
	c := startMinIO(t, "fedcost-secret")
	c.SecretKey = "wrong-secret-value-7f3a9c"
	s := mustNew(t, c)
	_, err := s.Put(context.Background(), "k", []byte("x"))
	if !errors.Is(err, store.ErrAccessDenied) {
		t.Fatalf("Put with a wrong secret = %v; want ErrAccessDenied", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value-7f3a9c") || strings.Contains(fmt.Sprintf("%+v", err), "7f3a9c") {
		t.Fatalf("error reveals the secret key: %v", err)
	}
	t.Logf("error with a wrong secret: %v", err)
}

// TestMinIOInternalCA: a real MinIO serving a certificate from an internal CA is reachable
// with ca_file, and refused without it.
func TestMinIOInternalCA(t *testing.T) {
	pki := newTestPKI(t)
	c := startMinIOWith(t, "fedcost-tls", &pki)
	t.Logf("target: MinIO (%s) over TLS at %s", minioVersion(), c.Endpoint)
	if _, err := mustNew(t, c).Put(context.Background(), "k", []byte("over tls")); err != nil {
		t.Fatalf("Put with ca_file: %v", err)
	}
	c.HTTPConfig.TLSConfig.CAFile = ""
	_, err := mustNew(t, c).Put(context.Background(), "k", []byte("over tls"))
	if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Fatalf("Put without ca_file = %v; want the certificate refused", err)
	}
}

func BenchmarkMinIO(b *testing.B) {
	c := startMinIO(b, "fedcost-bench")
	s, err := New(context.Background(), c)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Logf("target: MinIO (%s) at %s", minioVersion(), c.Endpoint)
	storetest.Benchmark(b, s)
}

func BenchmarkGofakes3(b *testing.B) {
	f := newFakeS3(b, "fedcost-bench")
	s := mustNew(b, fakeConfig(f, "fedcost-bench"))
	b.Logf("target: gofakes3 v1.2.0 (embedded) at %s", f.srv.URL)
	storetest.Benchmark(b, s)
}
