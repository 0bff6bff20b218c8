package s3

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fedcost/fedcost/shared/store"
)

// putMultipart uploads data in parts of part_size and applies the write's precondition to the
// final CompleteMultipartUpload, where AWS (and MinIO) honour If-None-Match and If-Match: the
// object appears, or not, as a whole. A failed upload is aborted so no parts are left behind.
//
// This is written against the S3 API directly instead of feature/s3/manager: that module is
// deprecated, and its Uploader carries the conditional headers to the completion only through a
// reflective field copy; here the condition is explicit and tested. Parts go up one after another:
// data is already in memory and federated ETL files are far below the default 64 MiB part size.
func (s *Store) putMultipart(ctx context.Context, key string, data []byte, cond condition) (store.Version, error) {
	partSize := s.conf.PartSize
	if n := uint64(len(data)); (n+partSize-1)/partSize > maxParts {
		partSize = (n + maxParts - 1) / maxParts
	}
	h := s.headers
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:             &s.bucket,
		Key:                &key,
		ACL:                h.ACL,
		StorageClass:       h.StorageClass,
		GrantFullControl:   optional(h.GrantFullControl),
		GrantRead:          optional(h.GrantRead),
		GrantReadACP:       optional(h.GrantReadACP),
		GrantWriteACP:      optional(h.GrantWriteACP),
		Tagging:            optional(h.Tagging),
		ContentType:        optional(h.ContentType),
		CacheControl:       optional(h.CacheControl),
		ContentEncoding:    optional(h.ContentEncoding),
		ContentDisposition: optional(h.ContentDisposition),
		ContentLanguage:    optional(h.ContentLanguage),
		Metadata:           h.metadata(),

		ServerSideEncryption:    s.sse.serverSideEncryption(),
		SSEKMSKeyId:             s.sse.kmsKey(),
		SSEKMSEncryptionContext: s.sse.kmsEncryptionContext(),
		SSECustomerAlgorithm:    s.sse.customerAlgorithm(),
		SSECustomerKey:          optional(s.sse.customerKey),
		SSECustomerKeyMD5:       optional(s.sse.customerMD5),
	})
	if err != nil {
		return "", fmt.Errorf("create multipart upload: %w", err)
	}
	uploadID := created.UploadId
	abort := func() {
		// Abort even if ctx was cancelled: otherwise the parts are billed until a lifecycle rule
		// removes them.
		_, _ = s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: &s.bucket, Key: &key, UploadId: uploadID,
		})
	}

	var parts []types.CompletedPart
	for i, off := int32(1), uint64(0); off < uint64(len(data)); i, off = i+1, off+partSize {
		chunk := data[off:min(off+partSize, uint64(len(data)))]
		in := &s3.UploadPartInput{
			Bucket:               &s.bucket,
			Key:                  &key,
			UploadId:             uploadID,
			PartNumber:           aws.Int32(i),
			Body:                 bytes.NewReader(chunk),
			ContentLength:        aws.Int64(int64(len(chunk))),
			SSECustomerAlgorithm: s.sse.customerAlgorithm(),
			SSECustomerKey:       optional(s.sse.customerKey),
			SSECustomerKeyMD5:    optional(s.sse.customerMD5),
		}
		if s.conf.SendContentMD5 {
			in.ContentMD5 = contentMD5(chunk)
		}
		out, err := s.client.UploadPart(ctx, in)
		if err != nil {
			abort()
			return "", fmt.Errorf("upload part %d: %w", i, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(i)})
	}

	var etag *string
	complete := func() error {
		out, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:               &s.bucket,
			Key:                  &key,
			UploadId:             uploadID,
			MultipartUpload:      &types.CompletedMultipartUpload{Parts: parts},
			IfNoneMatch:          cond.ifNoneMatch,
			IfMatch:              cond.ifMatch,
			SSECustomerAlgorithm: s.sse.customerAlgorithm(),
			SSECustomerKey:       optional(s.sse.customerKey),
			SSECustomerKeyMD5:    optional(s.sse.customerMD5),
		})
		if err != nil {
			return err
		}
		etag = out.ETag
		return nil
	}
	if cond.any() {
		err = s.conflict.do(ctx, complete)
	} else {
		err = complete()
	}
	if err != nil {
		abort()
		return "", err
	}
	return store.Version(aws.ToString(etag)), nil
}
