package azure

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/fedcost/fedcost/shared/store"
)

func decodeOver(t *testing.T, c *Config, text string) {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

func TestDecodeThanosExample(t *testing.T) {
	c := DefaultConfig()
	decodeOver(t, &c, `
storage_account: kubecostlogs
storage_account_key: "c2VjcmV0"
container: federated
endpoint: blob.core.chinacloudapi.cn
max_retries: 2
pipeline_config: {max_tries: 4, try_timeout: 30s, retry_delay: 1s, max_retry_delay: 10s}
reader_config: {max_retry_requests: 3}
http_config: {idle_conn_timeout: 1m, tls_config: {server_name: x}}
`)
	if c.StorageAccountName != "kubecostlogs" || c.StorageAccountKey.Value() != "c2VjcmV0" || c.ContainerName != "federated" ||
		c.Endpoint != "blob.core.chinacloudapi.cn" || c.PipelineConfig.TryTimeout != 30*time.Second ||
		c.ReaderConfig.MaxRetryRequests != 3 || c.HTTPConfig.IdleConnTimeout != time.Minute ||
		c.HTTPConfig.MaxIdleConns != 100 || c.HTTPConfig.TLSConfig.ServerName != "x" {
		t.Fatalf("decoded %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.serviceURL(); got != "https://kubecostlogs.blob.core.chinacloudapi.cn/" {
		t.Errorf("service URL %s", got)
	}
	if r := c.retryOptions(); r.MaxRetries != 4 || r.TryTimeout != 30*time.Second || r.RetryDelay != time.Second || r.MaxRetryDelay != 10*time.Second {
		t.Errorf("retry options %+v", r)
	}
}

func TestDefaults(t *testing.T) {
	c := DefaultConfig()
	if c.Endpoint != "blob.core.windows.net" || c.HTTPConfig.IdleConnTimeout != 90*time.Second || c.HTTPConfig.ResponseHeaderTimeout != 2*time.Minute {
		t.Errorf("defaults %+v", c)
	}
	c.StorageAccountName = "acct"
	if got := c.serviceURL(); got != "https://acct.blob.core.windows.net/" {
		t.Errorf("service URL %s", got)
	}
	c.MaxRetries = 5
	if r := c.retryOptions(); r.MaxRetries != 5 {
		t.Errorf("max_retries is used when pipeline_config.max_tries is 0: %+v", r)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"shared key", "storage_account: a\nstorage_account_key: k\ncontainer: c", ""},
		{"default credential", "storage_account: a\ncontainer: c", ""},
		{"user-assigned identity", "storage_account: a\ncontainer: c\nuser_assigned_id: 00000000-0000-0000-0000-000000000001", ""},
		{"azurite url", "storage_account_key: k\nstorage_account: devstoreaccount1\ncontainer: c\nendpoint: http://127.0.0.1:10000/devstoreaccount1", ""},
		{"connection string", "storage_connection_string: \"BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=x\"\ncontainer: c", ""},
		{"no container", "storage_account: a", "config.container: required: the blob container name"},
		{"no account", "container: c", "config.storage_account: required: the storage account name"},
		{"key without account", "container: c\nstorage_account_key: k\nendpoint: http://127.0.0.1:10000/devstoreaccount1", "config.storage_account: required with config.storage_account_key"},
		{"conn and key", "storage_connection_string: x\nstorage_account_key: k\ncontainer: c", "config.storage_connection_string and config.storage_account_key are mutually exclusive"},
		{"key and identity", "storage_account: a\nstorage_account_key: k\nuser_assigned_id: id\ncontainer: c", "config.storage_account_key and config.user_assigned_id/msi_resource are mutually exclusive"},
		{"conn and identity", "storage_connection_string: x\nmsi_resource: r\ncontainer: c", "config.storage_connection_string and config.user_assigned_id/msi_resource are mutually exclusive"},
		{"both identities", "storage_account: a\nuser_assigned_id: id\nmsi_resource: r\ncontainer: c", "config.user_assigned_id and config.msi_resource: set one"},
		{"empty endpoint", "storage_account: a\ncontainer: c\nendpoint: \"\"", "config.endpoint: required"},
		{"endpoint with path", "storage_account: a\ncontainer: c\nendpoint: blob.core.windows.net/x", "config.endpoint: \"blob.core.windows.net/x\" is not a host suffix"},
		{"negative retries", "storage_account: a\ncontainer: c\nmax_retries: -1", "config.max_retries: must not be negative"},
		{"negative tries", "storage_account: a\ncontainer: c\npipeline_config: {max_tries: -1}", "config.pipeline_config.max_tries: must not be negative"},
		{"delays", "storage_account: a\ncontainer: c\npipeline_config: {retry_delay: 1m, max_retry_delay: 1s}", "config.pipeline_config.retry_delay (1m0s) exceeds max_retry_delay (1s)"},
		{"reader", "storage_account: a\ncontainer: c\nreader_config: {max_retry_requests: -2}", "config.reader_config.max_retry_requests: must not be negative"},
		{"http", "storage_account: a\ncontainer: c\nhttp_config: {tls_config: {key_file: k}}", "config.http_config.tls_config.cert_file and key_file: set both"},
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
			}
		})
	}
}

// TestCredentialChoice: which credential New picks for each configuration. Token credentials
// are built without contacting anything, so this runs offline.
func TestCredentialChoice(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("header.payload.sig"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{"account key", "storage_account: a\nstorage_account_key: c2VjcmV0\ncontainer: c", nil, "shared key"},
		{"connection string", "storage_connection_string: \"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net\"\ncontainer: c", nil, "connection string"},
		{"system-assigned", "storage_account: a\ncontainer: c\nmsi_resource: https://storage.azure.com/", nil, "system-assigned managed identity"},
		{"user-assigned without workload identity", "storage_account: a\ncontainer: c\nuser_assigned_id: 11111111-2222-3333-4444-555555555555",
			map[string]string{"AZURE_FEDERATED_TOKEN_FILE": "", "AZURE_TENANT_ID": ""}, "user-assigned managed identity"},
		{"user-assigned with a federated token (workload identity)", "storage_account: a\ncontainer: c\nuser_assigned_id: 11111111-2222-3333-4444-555555555555",
			map[string]string{"AZURE_FEDERATED_TOKEN_FILE": tokenFile, "AZURE_TENANT_ID": "66666666-7777-8888-9999-000000000000"}, "workload identity, then user-assigned managed identity"},
		{"nothing configured", "storage_account: a\ncontainer: c", nil, "DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c := DefaultConfig()
			decodeOver(t, &c, tc.yaml)
			s, err := New(context.Background(), c)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer s.Close()
			if s.Auth() != tc.want {
				t.Errorf("credential %q; want %q", s.Auth(), tc.want)
			}
		})
	}
}

// TestSecretsNeverPrinted: the account key and a SAS token appear in no printed config, error,
// Name or String.
func TestSecretsNeverPrinted(t *testing.T) {
	const key, sas = "S2V5S2V5S2V5LXNlY3JldA==", "sig=SASSIGNATURE123"
	c := DefaultConfig()
	c.ContainerName = "c"
	c.PipelineConfig.RetryDelay, c.PipelineConfig.MaxRetryDelay = time.Millisecond, 2*time.Millisecond
	c.StorageConnectionString = store.Secret("BlobEndpoint=http://127.0.0.1:1/acct;SharedAccessSignature=sv=2020-01-01&" + sas)
	s, err := New(context.Background(), c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, putErr := s.Put(ctx, "k", []byte("x")) // nothing listens on port 1
	bad := DefaultConfig()
	bad.StorageAccountName, bad.ContainerName, bad.StorageAccountKey, bad.UserAssignedID = "a", "c", store.Secret(key), "id"
	_, valErr := New(context.Background(), bad)
	notKey := bad
	notKey.UserAssignedID, notKey.StorageAccountKey = "", "not base64 "+key
	_, keyErr := New(context.Background(), notKey)
	if putErr == nil || valErr == nil || keyErr == nil {
		t.Fatalf("want errors: put %v, validate %v, bad key %v", putErr, valErr, keyErr)
	}
	var y bytes.Buffer
	_ = yaml.NewEncoder(&y).Encode(bad)
	for name, text := range map[string]string{
		"Name": s.Name(), "String": fmt.Sprint(s), "put error": putErr.Error(), "validation error": valErr.Error(),
		"bad key error": keyErr.Error(), "%+v": fmt.Sprintf("%+v %+v", c, bad), "%#v": fmt.Sprintf("%#v", bad), "yaml": y.String(),
	} {
		if strings.Contains(text, key) || strings.Contains(text, "SASSIGNATURE123") {
			t.Errorf("%s reveals a secret: %s", name, text)
		}
	}
}
