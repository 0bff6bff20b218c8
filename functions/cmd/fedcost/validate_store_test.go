package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/fedcost/fedcost/shared/store/objstore"
	"github.com/fedcost/fedcost/shared/testenv"
)

// Azurite's documented development account.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// TestValidateStoreOnEveryBackend runs `fedcost validate --store` against each backend type:
// one good and one bad upload written through the same store configuration.
func TestValidateStoreOnEveryBackend(t *testing.T) {
	backends := map[string]func(t *testing.T) string{
		"FILESYSTEM": func(t *testing.T) string {
			return fmt.Sprintf("type: FILESYSTEM\nconfig:\n  directory: %s\n", t.TempDir())
		},
		"S3 (gofakes3)": func(t *testing.T) string {
			backend := s3mem.New()
			if err := backend.CreateBucket("fedcost-test"); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(gofakes3.New(backend).Server())
			t.Cleanup(srv.Close)
			host := strings.TrimPrefix(srv.URL, "http://")
			return fmt.Sprintf("type: S3\nprefix: team-a\nconfig:\n  bucket: fedcost-test\n  endpoint: %s\n  insecure: true\n  region: us-east-1\n  bucket_lookup_type: path\n  access_key: AKIA\n  secret_key: secret\n", host)
		},
		"GCS (fake-gcs-server)": func(t *testing.T) string {
			fs, err := fakestorage.NewServerWithOptions(fakestorage.Options{NoListener: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fs.Stop)
			fs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "fedcost-test"})
			srv := httptest.NewServer(fs.HTTPHandler())
			t.Cleanup(srv.Close)
			return fmt.Sprintf("type: GCS\nconfig:\n  bucket: fedcost-test\n  endpoint: %s\n", srv.URL)
		},
		"AZURE (Azurite)": func(t *testing.T) string {
			bin := testenv.Tool(t, "azurite-blob", "scripts/install-tools.sh azurite")
			port := testenv.FreePort(t)
			p := testenv.Start(t, nil, bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
				"--inMemoryPersistence", "--skipApiVersionCheck", "--silent")
			url := fmt.Sprintf("http://127.0.0.1:%d/%s", port, azuriteAccount)
			for deadline := time.Now().Add(60 * time.Second); !strings.Contains(p.Output(), fmt.Sprintf("listens on http://127.0.0.1:%d", port)); {
				if time.Now().After(deadline) {
					t.Fatalf("Azurite did not start:\n%s", p.Output())
				}
				time.Sleep(50 * time.Millisecond)
			}
			cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := azblob.NewClientWithSharedKeyCredential(url, cred, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cl.CreateContainer(context.Background(), "fedcost-test", nil); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("type: AZURE\nconfig:\n  storage_account: %s\n  storage_account_key: %s\n  container: fedcost-test\n  endpoint: %s\n", azuriteAccount, azuriteKey, url)
		},
	}
	for name, setup := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfgPath := filepath.Join(t.TempDir(), "federated-store.yaml")
			if err := os.WriteFile(cfgPath, []byte(setup(t)), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := objstore.Load(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			st, err := objstore.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
			good, goodBytes := testUpload(t, "c1", start)
			bad, _ := testUpload(t, "c2", start)
			if _, err := st.Put(ctx, good.Key(), goodBytes); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Put(ctx, bad.Key(), goodBytes); err != nil { // c1's document under c2's key
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := run(ctx, []string{"validate", "--store", cfgPath}, &out, &errb)
			if code != 1 || !strings.Contains(out.String(), "OK "+good.Key()) ||
				!strings.Contains(out.String(), "INVALID "+bad.Key()+": cluster_mismatch") ||
				!strings.Contains(out.String(), "2 objects: 1 ok, 1 invalid") {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
			}
			t.Logf("validate --store ran on %s", st.Name())
		})
	}
}
