package azure

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/exthttp"
)

// Config is the `config:` block of a `type: AZURE` federated-store.yaml (OpenCost AzureConfig =
// Thanos objstore azure.Config).
type Config struct {
	StorageAccountName string       `yaml:"storage_account"`
	StorageAccountKey  store.Secret `yaml:"storage_account_key"`
	// StorageConnectionString (e.g. with a SAS token) replaces storage_account, its key and endpoint.
	StorageConnectionString store.Secret `yaml:"storage_connection_string"`
	ContainerName           string       `yaml:"container"`
	// Endpoint is the blob service suffix (default blob.core.windows.net; blob.core.chinacloudapi.cn,
	// …), giving https://<storage_account>.<endpoint>. A full http(s) URL is used as the service
	// URL itself, as Azurite needs: http://127.0.0.1:10000/devstoreaccount1.
	Endpoint string `yaml:"endpoint"`
	// MaxRetries is the retry count when pipeline_config.max_tries is 0 (Thanos' older key).
	MaxRetries int `yaml:"max_retries"`
	// MSIResource, when set, selects the system-assigned managed identity.
	MSIResource string `yaml:"msi_resource"`
	// UserAssignedID is the client ID of a user-assigned managed identity or of the workload
	// identity (used for workload identity when the pod has a federated token).
	UserAssignedID string         `yaml:"user_assigned_id"`
	PipelineConfig PipelineConfig `yaml:"pipeline_config"`
	ReaderConfig   ReaderConfig   `yaml:"reader_config"`
	HTTPConfig     exthttp.Config `yaml:"http_config"`
}

// PipelineConfig is config.pipeline_config: the SDK's retry policy. Zero values keep the SDK
// defaults (3 retries, exponential delays from 4 s to 60 s… per azcore).
type PipelineConfig struct {
	MaxTries      int32         `yaml:"max_tries"`
	TryTimeout    time.Duration `yaml:"try_timeout"`
	RetryDelay    time.Duration `yaml:"retry_delay"`
	MaxRetryDelay time.Duration `yaml:"max_retry_delay"`
}

// ReaderConfig is config.reader_config.
type ReaderConfig struct {
	// MaxRetryRequests is how often a broken download stream is resumed (0: not resumed).
	MaxRetryRequests int `yaml:"max_retry_requests"`
}

// DefaultEndpoint is Azure's public cloud blob endpoint suffix.
const DefaultEndpoint = "blob.core.windows.net"

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Endpoint: DefaultEndpoint, HTTPConfig: exthttp.Default()}
}

// Validate checks the configuration. Messages name the YAML key and say what to do.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	conn := c.StorageConnectionString.IsSet()

	if c.ContainerName == "" {
		add("config.container: required: the blob container name")
	}
	if !conn && c.StorageAccountName == "" && !isURL(c.Endpoint) {
		add("config.storage_account: required: the storage account name (or give config.storage_connection_string)")
	}
	if c.StorageAccountKey.IsSet() && c.StorageAccountName == "" && !conn {
		add("config.storage_account: required with config.storage_account_key: the account the key belongs to")
	}
	if conn && c.StorageAccountKey.IsSet() {
		add("config.storage_connection_string and config.storage_account_key are mutually exclusive: the connection string carries its own credential; remove one")
	}
	if c.StorageAccountKey.IsSet() && (c.UserAssignedID != "" || c.MSIResource != "") {
		add("config.storage_account_key and config.user_assigned_id/msi_resource are mutually exclusive: use the account key or a managed identity, not both")
	}
	if conn && (c.UserAssignedID != "" || c.MSIResource != "") {
		add("config.storage_connection_string and config.user_assigned_id/msi_resource are mutually exclusive: use the connection string or a managed identity, not both")
	}
	if c.UserAssignedID != "" && c.MSIResource != "" {
		add("config.user_assigned_id and config.msi_resource: set one: user_assigned_id for a user-assigned identity, msi_resource for the system-assigned one")
	}
	switch {
	case c.Endpoint == "" && !conn:
		add("config.endpoint: required: the blob endpoint suffix, e.g. blob.core.windows.net")
	case isURL(c.Endpoint):
		if u, err := url.Parse(c.Endpoint); err != nil || u.Host == "" {
			add("config.endpoint: %q is not a valid service URL; give a suffix like blob.core.windows.net or a URL like http://127.0.0.1:10000/devstoreaccount1", c.Endpoint)
		}
	case strings.ContainsAny(c.Endpoint, "/?# "):
		add("config.endpoint: %q is not a host suffix: give e.g. blob.core.windows.net, or a full http(s) URL", c.Endpoint)
	}
	if c.MaxRetries < 0 {
		add("config.max_retries: must not be negative (got %d)", c.MaxRetries)
	}
	p := c.PipelineConfig
	if p.MaxTries < 0 {
		add("config.pipeline_config.max_tries: must not be negative (got %d)", p.MaxTries)
	}
	if p.TryTimeout < 0 || p.RetryDelay < 0 || p.MaxRetryDelay < 0 {
		add("config.pipeline_config: try_timeout, retry_delay and max_retry_delay must not be negative")
	}
	if p.RetryDelay > 0 && p.MaxRetryDelay > 0 && p.RetryDelay > p.MaxRetryDelay {
		add("config.pipeline_config.retry_delay (%s) exceeds max_retry_delay (%s)", p.RetryDelay, p.MaxRetryDelay)
	}
	if c.ReaderConfig.MaxRetryRequests < 0 {
		add("config.reader_config.max_retry_requests: must not be negative (got %d)", c.ReaderConfig.MaxRetryRequests)
	}
	if err := c.HTTPConfig.Validate("config.http_config"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

// serviceURL is the blob service URL: the endpoint itself when it is a URL, else
// https://<account>.<endpoint>/.
func (c Config) serviceURL() string {
	if isURL(c.Endpoint) {
		return strings.TrimSuffix(c.Endpoint, "/") + "/"
	}
	return "https://" + c.StorageAccountName + "." + c.Endpoint + "/"
}
