// Package gcs is the Google Cloud Storage backend of store.Store, configured by the `type: GCS`
// block of a Kubecost/Thanos federated-store.yaml. It also runs against fake-gcs-server.
//
// Contracts beyond store.Store:
//   - Version is the object's generation as a decimal string. Every write makes a new
//     generation, even of identical content.
//   - PutIfAbsent is the precondition DoesNotExist (ifGenerationMatch=0) and PutIfMatch is
//     GenerationMatch; a failed precondition (HTTP 412) is store.ErrPreconditionFailed. Objects
//     above chunk_size_bytes go up as resumable uploads carrying the same precondition.
//   - Conditional writes are retried by the client library on transient errors (they are
//     idempotent); so is Put, whose contract makes it idempotent too.
//   - Reads use the JSON API (storage.WithJSONReads), which emulators need and which reports
//     the generation read.
//   - Errors name the operation and gs://bucket/key, wrap the store sentinel they mean and the
//     library's error, and never contain the service-account key.
package gcs

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/fedcost/fedcost/shared/store"
)

// Store is a GCS bucket. Create it with New.
type Store struct {
	client     *storage.Client
	httpClient *http.Client
	bucket     *storage.BucketHandle
	name       string
	auth       string
	chunkSize  int // 0: library default
}

var _ store.Store = (*Store)(nil)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Name returns "gs://<bucket>".
func (s *Store) Name() string { return s.name }

// String is Name.
func (s *Store) String() string { return s.name }

// Auth describes the credential in use.
func (s *Store) Auth() string { return s.auth }

// Close closes the client.
func (s *Store) Close() error {
	err := s.client.Close()
	s.httpClient.CloseIdleConnections()
	return err
}

func (s *Store) checkKey(op, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("gcs %s in %s: %w", op, s.name, err)
	}
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

// GetReader implements store.Store. The reader is pinned to the generation it started with.
func (s *Store) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	if err := s.checkKey("get", key); err != nil {
		return nil, store.ObjectInfo{}, err
	}
	r, err := s.bucket.Object(key).NewReader(ctx)
	if err != nil {
		return nil, store.ObjectInfo{}, s.wrap("get", key, err)
	}
	return r, objectInfo(key, r.Attrs.Size, r.Attrs.Generation, r.Attrs.LastModified), nil
}

// Stat implements store.Store.
func (s *Store) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if err := s.checkKey("stat", key); err != nil {
		return store.ObjectInfo{}, err
	}
	a, err := s.bucket.Object(key).Attrs(ctx)
	if err != nil {
		return store.ObjectInfo{}, s.wrap("stat", key, err)
	}
	return objectInfo(key, a.Size, a.Generation, a.Updated), nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	obj := s.bucket.Object(key).Retryer(storage.WithPolicy(storage.RetryAlways))
	return s.write(ctx, "put", key, obj, data)
}

// PutIfAbsent implements store.Store with the DoesNotExist precondition.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.write(ctx, "put-if-absent", key, s.bucket.Object(key).If(storage.Conditions{DoesNotExist: true}), data)
}

// PutIfMatch implements store.Store with the GenerationMatch precondition. A version that is
// not a generation number can match nothing and is ErrPreconditionFailed.
func (s *Store) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	gen, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || gen <= 0 {
		return "", fmt.Errorf("gcs put-if-match %s/%s: version %q is not a generation: %w", s.name, key, v, store.ErrPreconditionFailed)
	}
	return s.write(ctx, "put-if-match", key, s.bucket.Object(key).If(storage.Conditions{GenerationMatch: gen}), data)
}

func (s *Store) write(ctx context.Context, op, key string, obj *storage.ObjectHandle, data []byte) (store.Version, error) {
	if err := s.checkKey(op, key); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", s.wrap(op, key, err)
	}
	w := obj.NewWriter(ctx)
	// Objects up to the chunk size go up in one request with no chunk buffer (ChunkSize 0): the
	// data is already in memory, and the library would otherwise allocate a whole chunk (16 MiB
	// by default) per write. Larger objects use resumable uploads in chunks of chunkSize.
	limit := s.chunkSize
	if limit == 0 {
		limit = googleapi.DefaultUploadChunkSize
	}
	if len(data) <= limit {
		w.ChunkSize = 0
	} else {
		w.ChunkSize = limit
	}
	w.CRC32C, w.SendCRC32C = crc32.Checksum(data, castagnoli), true
	if _, err := w.Write(data); err != nil {
		_ = w.Close()
		return "", s.wrapWrite(op, key, err)
	}
	if err := w.Close(); err != nil {
		return "", s.wrapWrite(op, key, err)
	}
	return store.Version(strconv.FormatInt(w.Attrs().Generation, 10)), nil
}

// Delete implements store.Store; deleting a missing object succeeds.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.checkKey("delete", key); err != nil {
		return err
	}
	if err := s.bucket.Object(key).Delete(ctx); err != nil && classify(err) != store.ErrNotFound {
		return s.wrap("delete", key, err)
	}
	return nil
}

// List implements store.Store. startAfter is sent as StartOffset (inclusive); the key equal to
// it is skipped here.
func (s *Store) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	q := &storage.Query{Prefix: prefix, StartOffset: startAfter}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Generation", "Updated"}); err != nil {
		return fmt.Errorf("gcs list %s/%s: %w", s.name, prefix, err)
	}
	it := s.bucket.Objects(ctx, q)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return s.wrap("list", prefix, err)
		}
		if a.Name <= startAfter || !strings.HasPrefix(a.Name, prefix) {
			continue
		}
		if err := fn(objectInfo(a.Name, a.Size, a.Generation, a.Updated)); err != nil {
			return err
		}
	}
}

func objectInfo(key string, size, generation int64, modified time.Time) store.ObjectInfo {
	return store.ObjectInfo{Key: key, Size: size, Version: store.Version(strconv.FormatInt(generation, 10)), Modified: modified}
}

// classify maps a GCS error to the store sentinel it means, or nil. A missing bucket is
// deliberately not ErrNotFound: it is a configuration error.
func classify(err error) error {
	switch {
	case errors.Is(err, storage.ErrBucketNotExist):
		return nil
	case errors.Is(err, storage.ErrObjectNotExist):
		return store.ErrNotFound
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch ge.Code {
		case http.StatusNotFound:
			return store.ErrNotFound
		case http.StatusPreconditionFailed:
			return store.ErrPreconditionFailed
		case http.StatusForbidden, http.StatusUnauthorized:
			return store.ErrAccessDenied
		}
	}
	return nil
}

func (s *Store) wrap(op, key string, err error) error {
	if sentinel := classify(err); sentinel != nil {
		return fmt.Errorf("gcs %s %s/%s: %w: %w", op, s.name, key, sentinel, err)
	}
	return fmt.Errorf("gcs %s %s/%s: %w", op, s.name, key, err)
}

// wrapWrite is wrap for uploads. An upload never targets an existing object's absence, so a
// 404 means the bucket is missing: that is reported as a plain error, not ErrNotFound. (A
// GenerationMatch on a missing object is a 412.)
func (s *Store) wrapWrite(op, key string, err error) error {
	if sentinel := classify(err); sentinel == store.ErrNotFound {
		return fmt.Errorf("gcs %s %s/%s: the bucket does not exist or is not visible: %w", op, s.name, key, err)
	}
	return s.wrap(op, key, err)
}
