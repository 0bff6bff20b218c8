package objstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/objstore"
	"github.com/fedcost/fedcost/shared/store/storetest"
)

// secretMarker starts every secret value in testdata; no error or summary may contain it.
const secretMarker = "SUPERSECRET"

// Every file in testdata/bad has an entry: the message substrings its error must contain, and
// whether the error comes from Open (the file is valid text, its content is not usable).
var badFiles = map[string]struct {
	want   []string
	atOpen bool
}{
	"empty.yaml":                       {want: []string{"empty file"}},
	"comments_only.yaml":               {want: []string{"empty file"}},
	"not_yaml.yaml":                    {want: []string{"not valid YAML", "line"}},
	"not_mapping.yaml":                 {want: []string{"line 1: expected a mapping"}},
	"two_documents.yaml":               {want: []string{"line 4: a second YAML document"}},
	"unknown_top_key.yaml":             {want: []string{"line 4: unknown key bucket", "type, config, prefix"}},
	"repeated_key.yaml":                {want: []string{"line 4: type: repeated key (first at line 1)"}},
	"unknown_type.yaml":                {want: []string{`type: unknown type "S4"`, "S3, GCS, AZURE, FILESYSTEM"}},
	"missing_type.yaml":                {want: []string{"type: required"}},
	"prefix_dotdot.yaml":               {want: []string{"prefix:", `".." segment`, "use a relative path"}},
	"config_not_mapping.yaml":          {want: []string{"line 2: config: must be a mapping"}},
	"filesystem_no_directory.yaml":     {want: []string{"config.directory: required"}},
	"filesystem_no_config.yaml":        {want: []string{"config.directory: required"}},
	"filesystem_typo.yaml":             {want: []string{"line 3: unknown key config.directroy: did you mean config.directory?"}},
	"filesystem_wrong_value_type.yaml": {want: []string{"line 3: config.directory: cannot unmarshal !!seq into string"}},
	"s3_missing_bucket.yaml":           {want: []string{"config.bucket: required"}},
	"s3_unknown_nested_key.yaml": {want: []string{
		"line 9: unknown key config.http_config.tls_config.ca_fille: did you mean config.http_config.tls_config.ca_file?"}},
	"s3_sdk_auth_and_access_key.yaml":   {want: []string{"config.aws_sdk_auth and config.access_key are mutually exclusive"}},
	"s3_access_key_without_secret.yaml": {want: []string{"config.access_key and config.secret_key: set both"}},
	"s3_secret_in_unknown_key.yaml":     {want: []string{"line 6: unknown key config.secret_kee: did you mean config.secret_key?"}},
	"s3_secret_as_wrong_type.yaml":      {want: []string{"line 6: config.insecure: cannot unmarshal !!str (value hidden) into bool"}},
	"s3_endpoint_with_scheme.yaml":      {want: []string{"config.endpoint:", "has a scheme"}},
	"s3_bad_ca_file.yaml":               {want: []string{"config.http_config.tls_config.ca_file"}, atOpen: true},
	"gcs_missing_bucket.yaml":           {want: []string{"config.bucket: required"}},
	"gcs_service_account_not_json.yaml": {want: []string{"config.service_account: not valid JSON"}},
	"gcs_unknown_key.yaml":              {want: []string{"line 4: unknown key config.service_acount: did you mean config.service_account?"}},
	"azure_missing_container.yaml":      {want: []string{"config.container: required"}},
	"azure_connection_string_and_key.yaml": {want: []string{
		"config.storage_connection_string and config.storage_account_key are mutually exclusive"}},
	"azure_unknown_key.yaml": {want: []string{
		"line 6: unknown key config.pipeline_config.max_try (known keys in config.pipeline_config: max_retry_delay, max_tries, retry_delay, try_timeout)"}},
}

func TestBadFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc, ok := badFiles[name]
			if !ok {
				t.Fatalf("no expectation for %s: add it to badFiles", name)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := objstore.Load(path)
			if tc.atOpen {
				if err != nil {
					t.Fatalf("Load: %v (this file must parse and fail only when opened)", err)
				}
				var s store.Store
				s, err = objstore.Open(context.Background(), c)
				if s != nil {
					s.Close()
				}
			}
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tc.want)
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if !tc.atOpen && !strings.HasPrefix(msg, path+": ") {
				t.Errorf("error does not start with the file name: %q", msg)
			}
			if strings.Contains(msg, secretMarker) {
				t.Errorf("error leaks a secret: %q", msg)
			}
			if strings.Contains(string(raw), secretMarker) && tc.atOpen && c != nil && strings.Contains(c.Summary(), secretMarker) {
				t.Errorf("summary leaks a secret")
			}
		})
	}
	for name := range badFiles {
		if !seen[name] {
			t.Errorf("badFiles names %s, which is not in testdata/bad", name)
		}
	}
}

// Every file in testdata/good parses and validates; its summary names the type and no secret.
var goodFiles = map[string]string{
	"s3_kubecost_aws.yaml":              "type=S3 bucket=kubecost-federated-storage-bucket endpoint=s3.amazonaws.com region=us-east-1",
	"s3_internal_ca.yaml":               "type=S3 bucket=kubecost-storage endpoint=s3.us-west-2.amazonaws.com region=us-west-2",
	"s3_irsa_prefix.yaml":               "type=S3 bucket=shared-bucket endpoint=s3.eu-west-1.amazonaws.com prefix=kubecost/prod",
	"s3_minio.yaml":                     "type=S3 bucket=kubecost endpoint=minio.monitoring.svc:9000",
	"azure_kubecost.yaml":               "type=AZURE storage_account=kubecoststorage container=kubecost-federated endpoint=blob.core.windows.net",
	"azure_workload_identity.yaml":      "type=AZURE storage_account=kubecoststorage container=kubecost-federated endpoint=blob.core.chinacloudapi.cn",
	"azure_connection_string.yaml":      "type=AZURE container=kubecost-federated endpoint=(from connection string) prefix=clusters",
	"gcs_kubecost_service_account.yaml": "type=GCS bucket=kubecost-federated-storage",
	"gcs_workload_identity.yaml":        "type=GCS bucket=kubecost-federated-storage prefix=fleet-a",
	"gcs_emulator.yaml":                 "type=GCS bucket=kubecost-gcs endpoint=http://127.0.0.1:4443",
	"filesystem.yaml":                   "type=FILESYSTEM directory=/var/lib/fedcost/bucket prefix=demo",
	"filesystem_merge_key.yaml":         "type=FILESYSTEM directory=/data/bucket",
}

func TestGoodFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/good/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, ok := goodFiles[name]
			if !ok {
				t.Fatalf("no expectation for %s: add it to goodFiles", name)
			}
			c, err := objstore.Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.Summary(); got != want {
				t.Errorf("Summary = %q, want %q", got, want)
			}
			if strings.Contains(c.Summary(), secretMarker) {
				t.Errorf("summary leaks a secret")
			}
		})
	}
	for name := range goodFiles {
		if !seen[name] {
			t.Errorf("goodFiles names %s, which is not in testdata/good", name)
		}
	}
}

func TestKubecostExampleValues(t *testing.T) {
	t.Parallel()
	c, err := objstore.Load("testdata/good/s3_internal_ca.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s3 := c.S3
	checks := map[string]bool{
		"aws_sdk_auth":                   s3.AWSSDKAuth,
		"X-Amz-Acl":                      s3.PutUserMetadata["X-Amz-Acl"] == "bucket-owner-full-control",
		"idle_conn_timeout 90s":          s3.HTTPConfig.IdleConnTimeout.Seconds() == 90,
		"response_header_timeout":        s3.HTTPConfig.ResponseHeaderTimeout.Minutes() == 2,
		"ca_file":                        s3.HTTPConfig.TLSConfig.CAFile == "/path/to/ca-certificates.crt",
		"part_size":                      s3.PartSize == 134217728,
		"trace":                          s3.Trace.Enable,
		"sts_endpoint":                   s3.STSEndpoint == "sts.us-west-2.amazonaws.com",
		"default kept: send_content_md5": s3.SendContentMD5,
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s not decoded as written", name)
		}
	}
	aws, err := objstore.Load("testdata/good/s3_kubecost_aws.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if aws.S3.SecretKey.Value() != "SUPERSECRET-good-aws" {
		t.Errorf("secret_key not decoded")
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	c, err := objstore.Load("testdata/good/s3_minio.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A config that Validate rejects, with a secret set: the message must not carry it.
	c.S3.Bucket = ""
	err = c.Validate()
	if err == nil || strings.Contains(err.Error(), secretMarker) {
		t.Fatalf("Validate: %v", err)
	}
	_, err = objstore.Open(context.Background(), c)
	if err == nil || strings.Contains(err.Error(), secretMarker) {
		t.Fatalf("Open: %v", err)
	}
	if strings.Contains(c.Summary(), secretMarker) {
		t.Fatalf("summary: %s", c.Summary())
	}
}

func TestParseIsCaseInsensitiveAndTrimsPrefix(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"filesystem", "FileSystem", "FILESYSTEM"} {
		c, err := objstore.Parse([]byte("type: " + typ + "\nconfig:\n  directory: /d\n"))
		if err != nil || c.Type != objstore.Filesystem {
			t.Errorf("type %q: %v %v", typ, c, err)
		}
	}
}

func TestReportsEveryUnknownKey(t *testing.T) {
	t.Parallel()
	_, err := objstore.Parse([]byte("type: S3\nconfig:\n  bucket: b\n  regoin: x\n  http_config:\n    zzz: 1\n    tls_config: {yyy: 2}\nextra: 1\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	// The top level is checked first; fix that and the config keys are reported together.
	if !strings.Contains(err.Error(), "line 8: unknown key extra") {
		t.Errorf("top level: %v", err)
	}
	_, err = objstore.Parse([]byte("type: S3\nconfig:\n  bucket: b\n  regoin: x\n  http_config:\n    zzz: 1\n    tls_config: {yyy: 2}\n"))
	lines := strings.Split(err.Error(), "\n")
	sort.Strings(lines)
	want := []string{
		"line 4: unknown key config.regoin: did you mean config.region?",
		"line 6: unknown key config.http_config.zzz",
		"line 7: unknown key config.http_config.tls_config.yyy",
	}
	for i, w := range want {
		if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
			t.Errorf("error lines %q: want one starting %q", lines, w)
		}
	}
}

// Open applies the prefix: the store passes the acceptance suite, and its objects land under
// <directory>/<prefix>/ on disk.
func TestOpenFilesystemWithPrefix(t *testing.T) {
	t.Parallel()
	storetest.Acceptance(t, func(t *testing.T) store.Store {
		dir := t.TempDir()
		c, err := objstore.Parse([]byte("type: FILESYSTEM\nconfig:\n  directory: " + dir + "\nprefix: /team a/\n"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := objstore.Open(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Put(context.Background(), "probe", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "team a", "probe")); err != nil {
			t.Fatalf("object not under the prefix directory: %v", err)
		}
		if err := s.Delete(context.Background(), "probe"); err != nil {
			t.Fatal(err)
		}
		return s
	}, storetest.Options{Skip: map[string]string{}})
}

func TestOpenRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	_, err := objstore.Open(context.Background(), &objstore.Config{Type: objstore.Filesystem})
	if err == nil || !strings.Contains(err.Error(), "config: required for type FILESYSTEM") {
		t.Errorf("Open of a config without its section: %v", err)
	}
	if errors.Is(err, store.ErrNotFound) {
		t.Error("config error must not look like a missing object")
	}
}
