package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/storetest"
	"github.com/fedcost/fedcost/shared/testenv"
)

// The Azurite development account, documented by Microsoft
// (learn.microsoft.com/azure/storage/common/storage-use-azurite); not a secret.
const (
	devAccount = "devstoreaccount1"
	devKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

var containerSeq atomic.Int64

// startAzurite runs a real Azurite blob server on 127.0.0.1 for the test and returns its
// service URL. It skips (or fails under FEDCOST_REQUIRE_TOOLS=1) when Azurite is not installed.
func startAzurite(t testing.TB) string {
	t.Helper()
	bin := testenv.Tool(t, "azurite-blob", "scripts/install-tools.sh azurite")
	port := testenv.FreePort(t)
	p := testenv.Start(t, nil, bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--inMemoryPersistence", "--skipApiVersionCheck", "--silent")
	// Wait for Azurite's own "listens" line rather than for any HTTP answer: another test's
	// server may have taken the port between FreePort and the start, and must not be mistaken
	// for Azurite.
	listening := fmt.Sprintf("successfully listens on http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.Output(), listening) {
		if out := p.Output(); strings.Contains(out, "Exit due to") || strings.Contains(out, "EADDRINUSE") || time.Now().After(deadline) {
			t.Fatalf("Azurite did not start on port %d:\n%s", port, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Sprintf("http://127.0.0.1:%d/%s", port, devAccount)
}

// azuriteConfig is a Config for a fresh container on the Azurite at url (created here).
func azuriteConfig(t testing.TB, url string) Config {
	t.Helper()
	c := DefaultConfig()
	c.StorageAccountName = devAccount
	c.StorageAccountKey = devKey
	c.Endpoint = url
	c.ContainerName = fmt.Sprintf("fedcost-%d", containerSeq.Add(1))
	s := mustNew(t, c)
	if _, err := s.client.Create(context.Background(), nil); err != nil {
		t.Fatalf("create container %s: %v", c.ContainerName, err)
	}
	return c
}

func mustNew(t testing.TB, c Config) *Store {
	t.Helper()
	s, err := New(context.Background(), c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func azuriteVersion() string {
	matches, _ := filepath.Glob(filepath.Join(testenv.CacheDir(), "azurite-*"))
	if len(matches) == 0 {
		return "azurite (version unknown)"
	}
	return filepath.Base(matches[len(matches)-1])
}

func TestAcceptanceAzurite(t *testing.T) {
	url := startAzurite(t)
	c := azuriteConfig(t, url)
	newStore := func(t *testing.T) store.Store {
		s := mustNew(t, c)
		// Exercise the staged-block path with the suite's large object.
		s.singlePutMax, s.blockSize = storetest.DefaultLargeObjectSize, 4<<20
		return s
	}
	t.Logf("target: Azurite (%s) at %s, container %s", azuriteVersion(), url, c.ContainerName)
	t.Run("plain", func(t *testing.T) { storetest.Acceptance(t, newStore, storetest.Options{}) })
	t.Run("prefixed, resumable reads", func(t *testing.T) {
		storetest.Acceptance(t, func(t *testing.T) store.Store {
			s := newStore(t).(*Store)
			s.readRetries = 2 // reader_config.max_retry_requests: GetReader returns the SDK's retry reader
			return store.WithPrefix(s, "tenant/a")
		}, storetest.Options{})
	})
}

// TestAzuriteConditions checks the error mapping on a real server, for single puts and for the
// staged-block path (whose condition sits on the block-list commit).
func TestAzuriteConditions(t *testing.T) {
	url := startAzurite(t)
	for _, staged := range []bool{false, true} {
		t.Run(fmt.Sprintf("staged=%v", staged), func(t *testing.T) {
			s := mustNew(t, azuriteConfig(t, url))
			data := []byte("small")
			if staged {
				s.singlePutMax, s.blockSize = 1<<20, 1<<20
				data = bytes.Repeat([]byte("x"), 2<<20+7)
			}
			ctx := context.Background()
			v1, err := s.PutIfAbsent(ctx, "k", data)
			if err != nil {
				t.Fatalf("PutIfAbsent: %v", err)
			}
			cases := []struct {
				name string
				op   func() error
				want error
			}{
				{"create-only on existing (409 BlobAlreadyExists)", func() error { _, err := s.PutIfAbsent(ctx, "k", data); return err }, store.ErrPreconditionFailed},
				{"stale If-Match (412 ConditionNotMet)", func() error { _, err := s.PutIfMatch(ctx, "k", data, `"0x8D000000000000"`); return err }, store.ErrPreconditionFailed},
				{"If-Match on a missing blob", func() error { _, err := s.PutIfMatch(ctx, "missing", data, v1); return err }, store.ErrPreconditionFailed},
				{"Get missing (BlobNotFound)", func() error { _, _, err := s.Get(ctx, "missing"); return err }, store.ErrNotFound},
				{"Stat missing", func() error { _, err := s.Stat(ctx, "missing"); return err }, store.ErrNotFound},
				{"Delete missing", func() error { return s.Delete(ctx, "missing") }, nil},
			}
			for _, tc := range cases {
				err := tc.op()
				if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
					t.Errorf("%s: err = %v; want %v", tc.name, err, tc.want)
				}
			}
			if _, err := s.PutIfMatch(ctx, "missing", data, v1); errors.Is(err, store.ErrNotFound) {
				t.Errorf("If-Match on a missing blob also reports ErrNotFound: %v", err)
			}
			got, info, err := s.Get(ctx, "k")
			if err != nil || !bytes.Equal(got, data) || info.Version != v1 {
				t.Fatalf("after failed conditional writes: Get = %d bytes, %s, %v; want the first write, %s", len(got), info.Version, err, v1)
			}
			v2, err := s.PutIfMatch(ctx, "k", data, v1)
			if err != nil || v2 == v1 {
				t.Fatalf("PutIfMatch(current) = %s, %v; want a new version even for identical content", v2, err)
			}
		})
	}
}

func TestAzuriteMissingContainer(t *testing.T) {
	url := startAzurite(t)
	c := DefaultConfig()
	c.StorageAccountName, c.StorageAccountKey, c.Endpoint, c.ContainerName = devAccount, devKey, url, "no-such-container"
	s := mustNew(t, c)
	_, _, err := s.Get(context.Background(), "k")
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get in a missing container = %v; want an error that is not ErrNotFound", err)
	}
}

// TestAzuriteWrongKey: a wrong account key is ErrAccessDenied and appears in no error or name.
func TestAzuriteWrongKey(t *testing.T) {
	url := startAzurite(t)
	c := azuriteConfig(t, url)
	wrong := strings.Repeat("A", 86) + "=="
	c.StorageAccountKey = store.Secret(wrong)
	s := mustNew(t, c)
	_, err := s.Put(context.Background(), "k", []byte("x"))
	if !errors.Is(err, store.ErrAccessDenied) {
		t.Fatalf("Put with a wrong key = %v; want ErrAccessDenied", err)
	}
	for name, text := range map[string]string{"error": err.Error(), "Name": s.Name(), "config": fmt.Sprintf("%+v", c)} {
		if strings.Contains(text, wrong) || strings.Contains(text, devKey) {
			t.Errorf("%s reveals the account key: %s", name, text)
		}
	}
}

func TestAzuriteConnectionString(t *testing.T) {
	url := startAzurite(t)
	base := azuriteConfig(t, url)
	c := DefaultConfig()
	c.ContainerName = base.ContainerName
	c.StorageConnectionString = store.Secret(fmt.Sprintf(
		"DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;", devAccount, devKey, url))
	s := mustNew(t, c)
	if _, err := s.Put(context.Background(), "via-connection-string", []byte("x")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if s.Auth() != "connection string" || strings.Contains(s.Name(), devKey) {
		t.Errorf("Auth %q, Name %q", s.Auth(), s.Name())
	}
}

func BenchmarkAzurite(b *testing.B) {
	url := startAzurite(b)
	s := mustNew(b, azuriteConfig(b, url))
	b.Logf("target: Azurite (%s) at %s", azuriteVersion(), url)
	storetest.Benchmark(b, s)
}
