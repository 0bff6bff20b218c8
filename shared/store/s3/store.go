// Package s3 is the Amazon S3 (and S3-compatible: MinIO, Ceph, …) backend of store.Store,
// configured by the `type: S3` block of a Kubecost/Thanos federated-store.yaml.
//
// Contracts beyond store.Store:
//   - Version is the object's ETag exactly as S3 returns it (quoted). S3 ETags of single-part
//     uploads are content hashes, so re-uploading identical content keeps the version; callers
//     compare versions only for equality, which stays correct (same ETag means same bytes).
//   - PutIfAbsent sends If-None-Match: * and PutIfMatch sends If-Match: <etag>, on PutObject or,
//     above part_size, on the final CompleteMultipartUpload, so a multipart write is conditional
//     as a whole. A 409 ConditionalRequestConflict is retried here with jittered exponential
//     backoff (bounded) and then reported as store.ErrPreconditionFailed.
//   - Errors name the operation and s3://bucket/key, wrap the store sentinel they mean
//     (ErrNotFound, ErrPreconditionFailed, ErrAccessDenied) and the SDK error; they never contain
//     credentials.
package s3

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Content-MD5 is MD5 by definition
	"encoding/base64"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fedcost/fedcost/shared/store"
)

// Store is an S3 bucket. Create it with New.
type Store struct {
	client    *s3.Client
	closeIdle func()
	bucket    string
	conf      Config
	headers   uploadHeaders
	sse       sseParams
	conflict  conflictRetry
}

var _ store.Store = (*Store)(nil)

// Name returns "s3://<bucket>".
func (s *Store) Name() string { return "s3://" + s.bucket }

// String is Name: a Store printed in a log shows no configuration, hence no secret.
func (s *Store) String() string { return s.Name() }

// Close releases idle connections.
func (s *Store) Close() error {
	s.closeIdle()
	return nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	rc, info, err := s.GetReader(ctx, key)
	if err != nil {
		return nil, info, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, info, s.wrap("get", key, err)
	}
	info.Size = int64(len(data))
	return data, info, nil
}

// GetReader implements store.Store.
func (s *Store) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	if err := s.checkKey("get", key); err != nil {
		return nil, store.ObjectInfo{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:               &s.bucket,
		Key:                  &key,
		SSECustomerAlgorithm: s.sse.customerAlgorithm(),
		SSECustomerKey:       optional(s.sse.customerKey),
		SSECustomerKeyMD5:    optional(s.sse.customerMD5),
	})
	if err != nil {
		return nil, store.ObjectInfo{}, s.wrap("get", key, err)
	}
	return out.Body, info(key, out.ContentLength, out.ETag, out.LastModified), nil
}

// Stat implements store.Store.
func (s *Store) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if err := s.checkKey("stat", key); err != nil {
		return store.ObjectInfo{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:               &s.bucket,
		Key:                  &key,
		SSECustomerAlgorithm: s.sse.customerAlgorithm(),
		SSECustomerKey:       optional(s.sse.customerKey),
		SSECustomerKeyMD5:    optional(s.sse.customerMD5),
	})
	if err != nil {
		return store.ObjectInfo{}, s.wrap("stat", key, err)
	}
	return info(key, out.ContentLength, out.ETag, out.LastModified), nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	if err := s.checkKey("put", key); err != nil {
		return "", err
	}
	v, err := s.put(ctx, key, data, condition{})
	if err != nil {
		return "", s.wrap("put", key, err)
	}
	return v, nil
}

// PutIfAbsent implements store.Store with If-None-Match: *.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	if err := s.checkKey("put-if-absent", key); err != nil {
		return "", err
	}
	v, err := s.put(ctx, key, data, condition{ifNoneMatch: aws.String("*")})
	if err != nil {
		return "", s.wrap("put-if-absent", key, err)
	}
	return v, nil
}

// PutIfMatch implements store.Store with If-Match: <v>. A missing object (404 on AWS) is
// ErrPreconditionFailed, as store.Store requires. An empty v never matches and is not sent: an
// empty If-Match header would make the write unconditional.
func (s *Store) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	if err := s.checkKey("put-if-match", key); err != nil {
		return "", err
	}
	if v == "" {
		return "", fmt.Errorf("s3 put-if-match s3://%s/%s: empty version: %w", s.bucket, key, store.ErrPreconditionFailed)
	}
	ver, err := s.put(ctx, key, data, condition{ifMatch: aws.String(string(v))})
	if err != nil && classify(err) == store.ErrNotFound {
		return "", fmt.Errorf("s3 put-if-match s3://%s/%s: %w (the object does not exist): %w", s.bucket, key, store.ErrPreconditionFailed, err)
	}
	if err != nil {
		return "", s.wrap("put-if-match", key, err)
	}
	return ver, nil
}

// condition is the precondition of one write; at most one field is set.
type condition struct {
	ifNoneMatch, ifMatch *string
}

func (c condition) any() bool { return c.ifNoneMatch != nil || c.ifMatch != nil }

// put uploads data under the condition and returns the new ETag, or the unwrapped S3 error.
func (s *Store) put(ctx context.Context, key string, data []byte, cond condition) (store.Version, error) {
	if !s.conf.DisableMultipart && uint64(len(data)) > s.conf.PartSize {
		return s.putMultipart(ctx, key, data, cond)
	}
	var etag *string
	write := func() error {
		in := s.putInput(key, data)
		in.IfNoneMatch, in.IfMatch = cond.ifNoneMatch, cond.ifMatch
		out, err := s.client.PutObject(ctx, in)
		if err != nil {
			return err
		}
		etag = out.ETag
		return nil
	}
	var err error
	if cond.any() {
		err = s.conflict.do(ctx, write)
	} else {
		err = write()
	}
	if err != nil {
		return "", err
	}
	return store.Version(aws.ToString(etag)), nil
}

func (s *Store) putInput(key string, data []byte) *s3.PutObjectInput {
	h := s.headers
	in := &s3.PutObjectInput{
		Bucket:             &s.bucket,
		Key:                &key,
		Body:               bytes.NewReader(data),
		ContentLength:      aws.Int64(int64(len(data))),
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
	}
	if s.conf.SendContentMD5 {
		in.ContentMD5 = contentMD5(data)
	}
	return in
}

// Delete implements store.Store; deleting a missing object succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.checkKey("delete", key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil && classify(err) != store.ErrNotFound {
		return s.wrap("delete", key, err)
	}
	return nil
}

// List implements store.Store with ListObjectsV2 (or ListObjects when list_objects_version is v1).
//
// S3 echoes StartAfter in its XML answer, and XML cannot carry NUL and most control characters
// (MinIO then sends a body the SDK cannot parse). Such a startAfter is cut before the first of
// them, which lists a superset, and the keys up to startAfter are skipped here.
func (s *Store) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	sendAfter := xmlSafePrefix(startAfter)
	emit := func(o types.Object) error {
		key := aws.ToString(o.Key)
		if key <= startAfter {
			return nil
		}
		return fn(info(key, o.Size, o.ETag, o.LastModified))
	}
	if s.conf.ListObjectsVersion == "v1" {
		return s.listV1(ctx, prefix, sendAfter, emit)
	}
	in := &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: optional(prefix), StartAfter: optional(sendAfter)}
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s.wrap("list", prefix, err)
		}
		for _, o := range page.Contents {
			if err := emit(o); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) listV1(ctx context.Context, prefix, marker string, emit func(types.Object) error) error {
	for {
		page, err := s.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &s.bucket, Prefix: optional(prefix), Marker: optional(marker)})
		if err != nil {
			return s.wrap("list", prefix, err)
		}
		for _, o := range page.Contents {
			if err := emit(o); err != nil {
				return err
			}
			marker = aws.ToString(o.Key)
		}
		if !aws.ToBool(page.IsTruncated) || len(page.Contents) == 0 {
			return nil
		}
	}
}

// xmlSafePrefix returns s up to the first character XML 1.0 cannot carry unchanged (controls
// other than tab and newline, carriage return, U+FFFE/U+FFFF, invalid UTF-8).
func xmlSafePrefix(s string) string {
	for i, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError {
			return s[:i]
		}
	}
	return s
}

func (s *Store) checkKey(op, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("s3 %s in s3://%s: %w", op, s.bucket, err)
	}
	return nil
}

func info(key string, size *int64, etag *string, modified *time.Time) store.ObjectInfo {
	return store.ObjectInfo{
		Key:      key,
		Size:     aws.ToInt64(size),
		Version:  store.Version(aws.ToString(etag)),
		Modified: aws.ToTime(modified),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func contentMD5(data []byte) *string {
	sum := md5.Sum(data) //nolint:gosec // Content-MD5
	return aws.String(base64.StdEncoding.EncodeToString(sum[:]))
}

func (h uploadHeaders) metadata() map[string]string {
	if len(h.Metadata) == 0 {
		return nil
	}
	return h.Metadata
}
