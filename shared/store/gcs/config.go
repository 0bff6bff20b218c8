package gcs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/exthttp"
)

// Config is the `config:` block of a `type: GCS` federated-store.yaml (OpenCost GCSConfig and
// the Thanos extras), plus Endpoint.
type Config struct {
	Bucket string `yaml:"bucket"`
	// ServiceAccount is an inline service-account key (JSON). Empty: Application Default
	// Credentials (GKE Workload Identity, GOOGLE_APPLICATION_CREDENTIALS, metadata server).
	ServiceAccount store.Secret `yaml:"service_account"`
	// UseGRPC is accepted for compatibility and must be false: only the JSON API is supported.
	UseGRPC          bool `yaml:"use_grpc"`
	GRPCConnPoolSize int  `yaml:"grpc_conn_pool_size"`
	// ChunkSizeBytes is the upload chunk size; objects larger than it use a resumable upload.
	// 0 keeps the client library's default (16 MiB). A multiple of 256 KiB.
	ChunkSizeBytes int `yaml:"chunk_size_bytes"`
	// MaxRetries bounds retries of one request (0: the client library's default policy).
	MaxRetries int            `yaml:"max_retries"`
	HTTPConfig exthttp.Config `yaml:"http_config"`
	// Endpoint (fedcost extension) is the JSON API base URL, e.g. https://storage.example/ for
	// Private Service Connect. A plain http:// endpoint is an emulator such as fake-gcs-server:
	// requests then carry no credentials, since a token must never travel unencrypted.
	Endpoint string `yaml:"endpoint"`
}

// chunkQuantum is the granularity GCS requires of resumable upload chunks.
const chunkQuantum = 256 << 10

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{HTTPConfig: exthttp.Default()}
}

// Validate checks the configuration. Messages name the YAML key and say what to do; they never
// quote service_account.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Bucket == "" {
		add("config.bucket: required: the bucket name")
	}
	if c.UseGRPC {
		add("config.use_grpc: not supported: set it to false (fedcost uses the JSON API)")
	}
	if c.GRPCConnPoolSize != 0 && !c.UseGRPC {
		add("config.grpc_conn_pool_size: only valid with use_grpc; remove it")
	}
	if c.ChunkSizeBytes < 0 || c.ChunkSizeBytes%chunkQuantum != 0 {
		add("config.chunk_size_bytes: %d is not a non-negative multiple of 262144 (256 KiB)", c.ChunkSizeBytes)
	}
	if c.MaxRetries < 0 {
		add("config.max_retries: must not be negative (got %d)", c.MaxRetries)
	}
	if c.ServiceAccount.IsSet() {
		if err := checkServiceAccount(c.ServiceAccount.Value()); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("config.endpoint: %q is not an http(s) URL; give e.g. https://storage.googleapis.com/ or, for an emulator, http://127.0.0.1:4443", c.Endpoint)
		}
	}
	if err := c.HTTPConfig.Validate("config.http_config"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkServiceAccount checks the key's shape without echoing any of it.
func checkServiceAccount(s string) error {
	var key struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal([]byte(s), &key); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("config.service_account: not valid JSON (syntax error at byte %d); paste the whole key file as a YAML block (service_account: |-)", se.Offset)
		}
		return errors.New("config.service_account: not a JSON object; paste the whole service-account key file")
	}
	var missing []string
	if key.Type != "service_account" {
		missing = append(missing, `"type": "service_account"`)
	}
	if key.ClientEmail == "" {
		missing = append(missing, "client_email")
	}
	if key.PrivateKey == "" {
		missing = append(missing, "private_key")
	}
	if len(missing) > 0 {
		return fmt.Errorf("config.service_account: not a service-account key: missing %s; create a key for the service account and paste its JSON", strings.Join(missing, ", "))
	}
	return nil
}

// emulator reports whether Endpoint is a plain-http emulator.
func (c Config) emulator() bool { return strings.HasPrefix(c.Endpoint, "http://") }
