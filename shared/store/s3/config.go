package s3

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/exthttp"
)

// Config is the `config:` block of a `type: S3` federated-store.yaml, with the keys of Kubecost /
// OpenCost (`S3Config`) and the Thanos extras (session_token, bucket_lookup_type, …).
type Config struct {
	Bucket string `yaml:"bucket"`
	// Endpoint is host[:port] without a scheme (e.g. s3.amazonaws.com, s3.eu-west-1.amazonaws.com,
	// minio.internal:9000). Insecure selects http instead of https.
	Endpoint string `yaml:"endpoint"`
	Region   string `yaml:"region"`
	// AWSSDKAuth uses the AWS SDK default credential chain (IRSA web identity, environment,
	// shared config, instance role). It excludes access_key/secret_key.
	AWSSDKAuth   bool         `yaml:"aws_sdk_auth"`
	AccessKey    string       `yaml:"access_key"`
	SecretKey    store.Secret `yaml:"secret_key"`
	SessionToken store.Secret `yaml:"session_token"`
	Insecure     bool         `yaml:"insecure"`
	// SignatureV2 is accepted for compatibility and must be false: conditional writes need SigV4.
	SignatureV2 bool `yaml:"signature_version2"`
	// PutUserMetadata is sent with every upload. Keys naming an S3 request header (X-Amz-Acl,
	// X-Amz-Storage-Class, X-Amz-Grant-*, X-Amz-Tagging, Content-Type, Cache-Control, …) are sent
	// as that header; X-Amz-Meta-<k> and any other key become user metadata.
	PutUserMetadata map[string]string `yaml:"put_user_metadata"`
	HTTPConfig      exthttp.Config    `yaml:"http_config"`
	// Trace is accepted for compatibility; request tracing is not implemented.
	Trace TraceConfig `yaml:"trace"`
	// ListObjectsVersion is "" or "v2" (ListObjectsV2), or "v1" for old S3-compatible servers.
	ListObjectsVersion string `yaml:"list_objects_version"`
	// BucketLookupType is auto (path style for non-AWS endpoints, virtual-hosted for AWS),
	// virtual-hosted or path. MinIO and Ceph usually need path (auto gives it).
	BucketLookupType string `yaml:"bucket_lookup_type"`
	// SendContentMD5 sends Content-MD5 with uploads instead of the SDK's default CRC checksums,
	// which some S3-compatible servers reject.
	SendContentMD5   bool      `yaml:"send_content_md5"`
	DisableMultipart bool      `yaml:"disable_multipart"`
	PartSize         uint64    `yaml:"part_size"`
	SSEConfig        SSEConfig `yaml:"sse_config"`
	// STSEndpoint overrides the STS endpoint the web-identity (IRSA) credential provider calls:
	// a URL, or a host meaning https://host.
	STSEndpoint string `yaml:"sts_endpoint"`
}

// TraceConfig is config.trace.
type TraceConfig struct {
	Enable bool `yaml:"enable"`
}

// SSEConfig is config.sse_config: server-side encryption of uploaded objects.
type SSEConfig struct {
	// Type is "" (bucket default), SSE-S3, SSE-KMS or SSE-C.
	Type     string `yaml:"type"`
	KMSKeyID string `yaml:"kms_key_id"`
	// KMSEncryptionContext is sent as the SSE-KMS encryption context (SSE-KMS only).
	KMSEncryptionContext map[string]string `yaml:"kms_encryption_context"`
	// EncryptionKey is the path of a file holding the 32-byte SSE-C key (SSE-C only).
	EncryptionKey string `yaml:"encryption_key"`
}

// SSE types.
const (
	SSES3  = "SSE-S3"
	SSEKMS = "SSE-KMS"
	SSEC   = "SSE-C"
)

// Bucket lookup types.
const (
	LookupAuto          = "auto"
	LookupVirtualHosted = "virtual-hosted"
	LookupPath          = "path"
)

const (
	// DefaultPartSize is OpenCost's default part size (64 MiB).
	DefaultPartSize = 64 << 20
	// MinPartSize is S3's minimum size of every part but the last.
	MinPartSize = 5 << 20
	// maxParts is S3's limit on parts per multipart upload.
	maxParts = 10000
)

// DefaultConfig returns the documented defaults (OpenCost defaultS3Config + Thanos extras).
func DefaultConfig() Config {
	return Config{
		HTTPConfig:       exthttp.Default(),
		BucketLookupType: LookupAuto,
		SendContentMD5:   true,
		PartSize:         DefaultPartSize,
	}
}

// Validate checks the configuration. Messages name the YAML key and say what to do.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Bucket == "" {
		add("config.bucket: required: the bucket name")
	}
	switch {
	case c.Endpoint == "":
		add("config.endpoint: required: the S3 endpoint as host[:port], e.g. s3.amazonaws.com, s3.us-west-2.amazonaws.com or minio.example:9000")
	case strings.Contains(c.Endpoint, "://"):
		add("config.endpoint: %q has a scheme: give host[:port] only, and set config.insecure: true for plain http", c.Endpoint)
	case strings.ContainsAny(c.Endpoint, "/?# "):
		add("config.endpoint: %q is not host[:port]: remove any path", c.Endpoint)
	}
	if c.AWSSDKAuth && (c.AccessKey != "" || c.SecretKey.IsSet()) {
		add("config.aws_sdk_auth and config.access_key are mutually exclusive: remove access_key/secret_key to use the AWS SDK credential chain (IRSA, environment, instance role), or set aws_sdk_auth: false")
	}
	if (c.AccessKey == "") != !c.SecretKey.IsSet() {
		add("config.access_key and config.secret_key: set both or neither (neither uses the AWS SDK credential chain)")
	}
	if c.SessionToken.IsSet() && c.AccessKey == "" {
		add("config.session_token: only valid with config.access_key and config.secret_key")
	}
	if c.SignatureV2 {
		add("config.signature_version2: not supported: conditional writes need Signature V4; set it to false")
	}
	switch c.BucketLookupType {
	case "", LookupAuto, LookupVirtualHosted, LookupPath:
	default:
		add("config.bucket_lookup_type: %q is not one of auto, virtual-hosted, path", c.BucketLookupType)
	}
	switch c.ListObjectsVersion {
	case "", "v1", "v2":
	default:
		add("config.list_objects_version: %q is not one of \"\", v1, v2", c.ListObjectsVersion)
	}
	if !c.DisableMultipart && c.PartSize < MinPartSize {
		add("config.part_size: %d is below S3's minimum part size %d (5 MiB); raise it (default %d) or set disable_multipart: true", c.PartSize, MinPartSize, DefaultPartSize)
	}
	if _, err := parseMetadata(c.PutUserMetadata); err != nil {
		errs = append(errs, err)
	}
	if err := c.SSEConfig.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.HTTPConfig.Validate("config.http_config"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s SSEConfig) validate() error {
	switch s.Type {
	case "":
		if s.KMSKeyID != "" || len(s.KMSEncryptionContext) > 0 || s.EncryptionKey != "" {
			return errors.New("config.sse_config.type: required when other sse_config keys are set: SSE-S3, SSE-KMS or SSE-C")
		}
	case SSES3:
		if s.KMSKeyID != "" || len(s.KMSEncryptionContext) > 0 || s.EncryptionKey != "" {
			return errors.New("config.sse_config: SSE-S3 takes no kms_key_id, kms_encryption_context or encryption_key; remove them or use SSE-KMS / SSE-C")
		}
	case SSEKMS:
		if s.KMSKeyID == "" {
			return errors.New("config.sse_config.kms_key_id: required for SSE-KMS: the KMS key id or ARN")
		}
		if s.EncryptionKey != "" {
			return errors.New("config.sse_config.encryption_key: only valid for SSE-C")
		}
	case SSEC:
		if s.EncryptionKey == "" {
			return errors.New("config.sse_config.encryption_key: required for SSE-C: the path of a file holding the 32-byte key")
		}
		if s.KMSKeyID != "" || len(s.KMSEncryptionContext) > 0 {
			return errors.New("config.sse_config: kms_key_id and kms_encryption_context are only valid for SSE-KMS")
		}
	default:
		return fmt.Errorf("config.sse_config.type: %q is not one of SSE-S3, SSE-KMS, SSE-C", s.Type)
	}
	return nil
}

// uploadHeaders is put_user_metadata split into the request headers S3 models as fields and the
// remaining user metadata.
type uploadHeaders struct {
	ACL                                        types.ObjectCannedACL
	StorageClass                               types.StorageClass
	GrantFullControl, GrantRead, GrantReadACP  string
	GrantWriteACP, Tagging                     string
	ContentType, CacheControl, ContentEncoding string
	ContentDisposition, ContentLanguage        string
	Metadata                                   map[string]string
}

func parseMetadata(m map[string]string) (uploadHeaders, error) {
	h := uploadHeaders{Metadata: map[string]string{}}
	for k, v := range m {
		lk := strings.ToLower(k)
		switch {
		case lk == "x-amz-acl":
			acl := types.ObjectCannedACL(v)
			if !slices.Contains(acl.Values(), acl) {
				return h, fmt.Errorf("config.put_user_metadata.%s: %q is not a canned ACL; use one of %v", k, v, acl.Values())
			}
			h.ACL = acl
		case lk == "x-amz-storage-class":
			sc := types.StorageClass(v)
			if !slices.Contains(sc.Values(), sc) {
				return h, fmt.Errorf("config.put_user_metadata.%s: %q is not a storage class; use one of %v", k, v, sc.Values())
			}
			h.StorageClass = sc
		case lk == "x-amz-grant-full-control":
			h.GrantFullControl = v
		case lk == "x-amz-grant-read":
			h.GrantRead = v
		case lk == "x-amz-grant-read-acp":
			h.GrantReadACP = v
		case lk == "x-amz-grant-write-acp":
			h.GrantWriteACP = v
		case lk == "x-amz-tagging":
			h.Tagging = v
		case lk == "content-type":
			h.ContentType = v
		case lk == "cache-control":
			h.CacheControl = v
		case lk == "content-encoding":
			h.ContentEncoding = v
		case lk == "content-disposition":
			h.ContentDisposition = v
		case lk == "content-language":
			h.ContentLanguage = v
		case strings.HasPrefix(lk, "x-amz-meta-"):
			h.Metadata[k[len("x-amz-meta-"):]] = v
		case strings.HasPrefix(lk, "x-amz-"):
			return h, fmt.Errorf("config.put_user_metadata.%s: this S3 header is not supported; use X-Amz-Acl, X-Amz-Storage-Class, X-Amz-Grant-*, X-Amz-Tagging, or sse_config for encryption", k)
		default:
			h.Metadata[k] = v
		}
	}
	return h, nil
}
