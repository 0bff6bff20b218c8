package s3

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/fedcost/fedcost/shared/store/exthttp"
)

func decode(t *testing.T, text string) Config {
	t.Helper()
	c := DefaultConfig()
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return c
}

func TestDecodeKubecostExample(t *testing.T) {
	b, err := os.ReadFile("testdata/kubecost-internal-ca.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := decode(t, string(b))
	want := DefaultConfig()
	want.Bucket = "kubecost-storage"
	want.Endpoint = "s3.us-west-2.amazonaws.com"
	want.Region = "us-west-2"
	want.AWSSDKAuth = true
	want.PutUserMetadata = map[string]string{"X-Amz-Acl": "bucket-owner-full-control"}
	want.HTTPConfig.TLSConfig = exthttp.TLSConfig{CAFile: "/path/to/ca-certificates.crt", CertFile: "CERT.pem", KeyFile: "KEY.PEM"}
	want.Trace.Enable = true
	want.PartSize = 134217728
	want.STSEndpoint = "sts.us-west-2.amazonaws.com"
	if got, w := fmt.Sprintf("%+v", c), fmt.Sprintf("%+v", want); got != w {
		t.Fatalf("decoded\n%s\nwant\n%s", got, w)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	c := DefaultConfig()
	if c.PartSize != 67108864 || !c.SendContentMD5 || c.BucketLookupType != "auto" {
		t.Errorf("defaults %+v: want part_size 67108864, send_content_md5 true, bucket_lookup_type auto", c)
	}
	h := c.HTTPConfig
	if h.IdleConnTimeout != 90*time.Second || h.ResponseHeaderTimeout != 2*time.Minute ||
		h.TLSHandshakeTimeout != 10*time.Second || h.ExpectContinueTimeout != time.Second ||
		h.MaxIdleConns != 100 || h.MaxIdleConnsPerHost != 100 || h.MaxConnsPerHost != 0 {
		t.Errorf("http_config defaults %+v differ from the documented ones", h)
	}
}

func TestValidate(t *testing.T) {
	valid := func() Config {
		c := DefaultConfig()
		c.Bucket, c.Endpoint = "b", "minio.example:9000"
		return c
	}
	cases := []struct {
		name string
		yaml string // applied over valid()
		want string // "" = valid
	}{
		{"minimal", ``, ""},
		{"static keys", "access_key: AK\nsecret_key: SK", ""},
		{"missing bucket", `bucket: ""`, "config.bucket: required: the bucket name"},
		{"missing endpoint", `endpoint: ""`, "config.endpoint: required"},
		{"endpoint with scheme", `endpoint: https://minio:9000`, "config.endpoint: \"https://minio:9000\" has a scheme: give host[:port] only, and set config.insecure: true"},
		{"endpoint with path", `endpoint: minio:9000/bucket`, "config.endpoint: \"minio:9000/bucket\" is not host[:port]"},
		{"sdk auth and keys", "aws_sdk_auth: true\naccess_key: AK\nsecret_key: SK", "config.aws_sdk_auth and config.access_key are mutually exclusive"},
		{"access key alone", "access_key: AK", "config.access_key and config.secret_key: set both or neither"},
		{"secret key alone", "secret_key: SK", "config.access_key and config.secret_key: set both or neither"},
		{"session token alone", "session_token: T", "config.session_token: only valid with config.access_key"},
		{"signature v2", "signature_version2: true", "config.signature_version2: not supported"},
		{"bucket lookup", "bucket_lookup_type: dns", "config.bucket_lookup_type: \"dns\" is not one of auto, virtual-hosted, path"},
		{"list version", "list_objects_version: v3", "config.list_objects_version: \"v3\""},
		{"small part size", "part_size: 1024", "config.part_size: 1024 is below S3's minimum part size"},
		{"small part size, multipart off", "part_size: 1024\ndisable_multipart: true", ""},
		{"bad acl", "put_user_metadata: {X-Amz-Acl: everyone}", "config.put_user_metadata.X-Amz-Acl: \"everyone\" is not a canned ACL"},
		{"unsupported amz header", "put_user_metadata: {X-Amz-Website-Redirect-Location: /x}", "config.put_user_metadata.X-Amz-Website-Redirect-Location: this S3 header is not supported"},
		{"sse type", "sse_config: {type: SSE-X}", "config.sse_config.type: \"SSE-X\" is not one of"},
		{"sse kms without key", "sse_config: {type: SSE-KMS}", "config.sse_config.kms_key_id: required for SSE-KMS"},
		{"sse-c without key", "sse_config: {type: SSE-C}", "config.sse_config.encryption_key: required for SSE-C"},
		{"sse keys without type", "sse_config: {kms_key_id: k}", "config.sse_config.type: required"},
		{"negative timeout", "http_config: {idle_conn_timeout: -1s}", "config.http_config.idle_conn_timeout: must not be negative"},
		{"cert without key", "http_config: {tls_config: {cert_file: c.pem}}", "config.http_config.tls_config.cert_file and key_file: set both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			if tc.yaml != "" {
				dec := yaml.NewDecoder(strings.NewReader(tc.yaml))
				dec.KnownFields(true)
				if err := dec.Decode(&c); err != nil {
					t.Fatalf("decode: %v", err)
				}
			}
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

func TestUnknownKeyIsAnError(t *testing.T) {
	c := DefaultConfig()
	dec := yaml.NewDecoder(strings.NewReader("bucket: b\nendpoitn: x\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err == nil || !strings.Contains(err.Error(), "endpoitn") {
		t.Fatalf("decode with a typo = %v; want an error naming the key", err)
	}
}

// TestSecretsNeverPrinted: secret_key and session_token appear in no printed form of the config,
// in no validation error, and not in the store's Name or String.
func TestSecretsNeverPrinted(t *testing.T) {
	const secret, token = "SECRET-ab12cd34ef", "TOKEN-99zz88yy"
	c := DefaultConfig()
	c.Bucket, c.Endpoint, c.Insecure = "b", "127.0.0.1:1", true
	c.AccessKey, c.SecretKey, c.SessionToken = "AK", secret, token
	s, err := New(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	bad := c
	bad.AWSSDKAuth = true // invalid: mutually exclusive with the keys
	_, newErr := New(t.Context(), bad)
	if newErr == nil {
		t.Fatal("New with aws_sdk_auth and keys succeeded")
	}
	_, putErr := s.Put(t.Context(), "k", []byte("x")) // nothing listens on port 1
	if putErr == nil {
		t.Fatal("Put to a closed port succeeded")
	}
	var y bytes.Buffer
	if err := yaml.NewEncoder(&y).Encode(c); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"yaml": y.String(), "Name": s.Name(), "String": fmt.Sprint(s),
		"validation error": newErr.Error(), "request error": putErr.Error(),
	} {
		if strings.Contains(text, secret) || strings.Contains(text, token) {
			t.Errorf("%s reveals a secret: %s", name, text)
		}
	}
}
