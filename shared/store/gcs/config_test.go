package gcs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/fedcost/fedcost/shared/store"
)

// fakeServiceAccount is a syntactically valid service-account key with a fresh RSA key; it is
// accepted offline (tokens are fetched lazily) and authorizes nothing.
func fakeServiceAccount(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	js, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "fedcost-test",
		"private_key_id": "0123456789abcdef",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "fedcost@fedcost-test.iam.gserviceaccount.com",
		"client_id":      "123",
		"token_uri":      "https://oauth2.googleapis.com/token",
	})
	return string(js)
}

func decodeOver(t *testing.T, c *Config, text string) {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

func TestDecodeKubecostExample(t *testing.T) {
	sa := fakeServiceAccount(t)
	c := DefaultConfig()
	indented := "    " + strings.ReplaceAll(sa, "\n", "\n    ")
	decodeOver(t, &c, "bucket: kubecost-federated\nservice_account: |-\n"+indented+"\nhttp_config:\n  idle_conn_timeout: 30s\n")
	if c.Bucket != "kubecost-federated" || c.ServiceAccount.Value() != sa || c.HTTPConfig.IdleConnTimeout != 30*time.Second || c.HTTPConfig.MaxIdleConns != 100 {
		t.Fatalf("decoded %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"adc", "bucket: b", ""},
		{"emulator", "bucket: b\nendpoint: http://127.0.0.1:4443", ""},
		{"no bucket", "endpoint: http://127.0.0.1:4443", "config.bucket: required: the bucket name"},
		{"grpc", "bucket: b\nuse_grpc: true", "config.use_grpc: not supported: set it to false"},
		{"pool without grpc", "bucket: b\ngrpc_conn_pool_size: 4", "config.grpc_conn_pool_size: only valid with use_grpc"},
		{"chunk size", "bucket: b\nchunk_size_bytes: 1000", "config.chunk_size_bytes: 1000 is not a non-negative multiple of 262144"},
		{"retries", "bucket: b\nmax_retries: -1", "config.max_retries: must not be negative"},
		{"endpoint", "bucket: b\nendpoint: storage.example", "config.endpoint: \"storage.example\" is not an http(s) URL"},
		{"sa not json", "bucket: b\nservice_account: 'SECRETVALUE{'", "config.service_account: not valid JSON (syntax error at byte 1)"},
		{"sa not a key", "bucket: b\nservice_account: '{\"type\": \"authorized_user\", \"private_key\": \"SECRETVALUE\"}'", "config.service_account: not a service-account key: missing \"type\": \"service_account\", client_email"},
		{"http", "bucket: b\nhttp_config: {max_conns_per_host: -1}", "config.http_config.max_conns_per_host: must not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			decodeOver(t, &c, tc.yaml)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v; want it to contain %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "SECRETVALUE"):
				t.Fatalf("Validate quotes service_account: %v", err)
			}
		})
	}
}

func TestCredentialChoice(t *testing.T) {
	sa := fakeServiceAccount(t)
	adcFile := filepath.Join(t.TempDir(), "adc.json")
	if err := os.WriteFile(adcFile, []byte(sa), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", adcFile)
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"inline service account", func(c *Config) { c.ServiceAccount = store.Secret(sa) }, "service account key"},
		{"application default credentials", func(c *Config) {}, "Application Default Credentials"},
		{"https endpoint keeps credentials", func(c *Config) { c.Endpoint = "https://storage.example.internal" }, "Application Default Credentials"},
		{"plain-http emulator sends none", func(c *Config) { c.Endpoint = "http://127.0.0.1:4443" }, "none (plain-http emulator endpoint)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Bucket = "b"
			tc.edit(&c)
			s := mustNew(t, c)
			if s.Auth() != tc.want {
				t.Errorf("credential %q; want %q", s.Auth(), tc.want)
			}
		})
	}
}

// TestSecretsNeverPrinted: the service-account key appears in no printed config, error, Name
// or String.
func TestSecretsNeverPrinted(t *testing.T) {
	sa := fakeServiceAccount(t)
	var key struct {
		PrivateKey string `json:"private_key"`
	}
	_ = json.Unmarshal([]byte(sa), &key)
	marker := strings.Split(key.PrivateKey, "\n")[1] // a line of the PEM body
	c := DefaultConfig()
	c.Bucket, c.ServiceAccount = "b", store.Secret(sa)
	s := mustNew(t, c)
	broken := c
	broken.ServiceAccount = store.Secret(strings.Replace(sa, `"type":"service_account"`, `"type":"x"`, 1))
	_, valErr := New(context.Background(), broken)
	if valErr == nil {
		t.Fatal("New with a broken key succeeded")
	}
	var y bytes.Buffer
	_ = yaml.NewEncoder(&y).Encode(c)
	for name, text := range map[string]string{
		"Name": s.Name(), "String": fmt.Sprint(s), "validation error": valErr.Error(),
		"%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c), "yaml": y.String(),
	} {
		if strings.Contains(text, marker) || strings.Contains(text, "PRIVATE KEY") {
			t.Errorf("%s reveals the service-account key: %s", name, text)
		}
	}
}
