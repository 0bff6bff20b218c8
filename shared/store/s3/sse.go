package s3

import (
	"crypto/md5" //nolint:gosec // S3 defines the SSE-C key digest as MD5
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// sseParams is sse_config resolved into request fields.
type sseParams struct {
	mode        string // "", SSE-S3, SSE-KMS, SSE-C
	kmsKeyID    string
	kmsContext  string // base64 JSON
	customerKey string // base64 of the 32-byte key (SSE-C)
	customerMD5 string // base64 MD5 of the key (SSE-C)
}

func (s SSEConfig) load() (sseParams, error) {
	p := sseParams{mode: s.Type, kmsKeyID: s.KMSKeyID}
	switch s.Type {
	case SSEKMS:
		if len(s.KMSEncryptionContext) > 0 {
			js, err := json.Marshal(s.KMSEncryptionContext) // map keys sorted
			if err != nil {
				return p, fmt.Errorf("config.sse_config.kms_encryption_context: %w", err)
			}
			p.kmsContext = base64.StdEncoding.EncodeToString(js)
		}
	case SSEC:
		key, err := os.ReadFile(s.EncryptionKey)
		if err != nil {
			return p, fmt.Errorf("config.sse_config.encryption_key: read the SSE-C key file: %w", err)
		}
		if len(key) != 32 {
			return p, fmt.Errorf("config.sse_config.encryption_key: %s holds %d bytes; SSE-C needs exactly 32 (an AES-256 key)", s.EncryptionKey, len(key))
		}
		sum := md5.Sum(key) //nolint:gosec // S3 defines the SSE-C key digest as MD5
		p.customerKey = base64.StdEncoding.EncodeToString(key)
		p.customerMD5 = base64.StdEncoding.EncodeToString(sum[:])
	}
	return p, nil
}

func (p sseParams) serverSideEncryption() types.ServerSideEncryption {
	switch p.mode {
	case SSES3:
		return types.ServerSideEncryptionAes256
	case SSEKMS:
		return types.ServerSideEncryptionAwsKms
	}
	return ""
}

func (p sseParams) kmsKey() *string               { return optional(p.kmsKeyID) }
func (p sseParams) kmsEncryptionContext() *string { return optional(p.kmsContext) }

func (p sseParams) customerAlgorithm() *string {
	if p.mode == SSEC {
		return aws.String("AES256")
	}
	return nil
}
