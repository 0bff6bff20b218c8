// Package store is the one object-storage interface every fedcost component uses to read and
// write the bucket. It follows thanos-io/objstore's small Bucket interface and adds what the
// aggregator's correctness rests on: versions and conditional writes (compare-and-swap).
//
// Backends live in sub-packages (memory, filesystem, s3, gcs, azure), each verified by the
// exported acceptance suite in store/storetest; objstore opens the one a federated-store.yaml
// names. Decorators (WithPrefix, WithRetry, WithMetrics) wrap a Store and are Stores themselves.
// Configuration secrets use the self-redacting Secret type.
package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// Sentinel errors. Backends wrap them (fmt.Errorf("...: %w", ErrNotFound)) so that callers test
// with errors.Is and still see what the backend said.
var (
	// ErrNotFound: the object does not exist (S3 NoSuchKey/404, GCS ErrObjectNotExist, Azure BlobNotFound).
	ErrNotFound = errors.New("object not found")
	// ErrPreconditionFailed: a conditional write lost: the object already exists (PutIfAbsent) or its
	// current version is not the one named (PutIfMatch). S3 412 PreconditionFailed, GCS 412,
	// Azure 409 BlobAlreadyExists / 412 ConditionNotMet. A 409 ConditionalRequestConflict is retried
	// inside the S3 backend and surfaces as this error only when retries are exhausted.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrAccessDenied: the credentials are not allowed to do this (403, AccessDenied).
	ErrAccessDenied = errors.New("access denied")
)

// Version identifies one write of one object: an S3 ETag, a GCS generation, an Azure ETag, or a
// filesystem content-and-write counter. Two writes of the same key never share a version, even
// with identical content, except where a backend documents otherwise (S3 ETags are content
// hashes; the S3 backend therefore uses the ETag as the version, and identical re-uploads keep it).
// Callers must treat a Version as opaque and compare it only for equality.
type Version string

// ObjectInfo describes one object as listed or stat'ed.
type ObjectInfo struct {
	Key      string    // full key, relative to the Store (a prefix decorator strips its prefix)
	Size     int64     // bytes
	Version  Version   // current version
	Modified time.Time // last modification time as the backend reports it
}

// Store is a bucket. All methods are safe for concurrent use. Keys are slash-separated, never
// start with "/", and are passed to the backend unchanged (spaces, '+', '%' and non-ASCII are
// legal key characters and round-trip exactly). ValidateKey states the rules every backend
// accepts; a key that breaks them may be refused with ErrInvalidKey. Every method honours ctx: a
// cancelled context ends the call with an error wrapping ctx.Err().
type Store interface {
	// Get returns the object's whole content and its current version.
	// A missing object is ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, ObjectInfo, error)

	// GetReader streams the object. The caller must close the reader. A missing object is
	// ErrNotFound (returned by GetReader itself, not on first Read).
	GetReader(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)

	// Stat returns the object's info without its content. A missing object is ErrNotFound.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// Put writes the object unconditionally (create or replace) and returns the new version.
	// Put is idempotent: repeating it leaves the same content.
	Put(ctx context.Context, key string, data []byte) (Version, error)

	// PutIfAbsent creates the object only if no object exists under key. If one does,
	// it returns ErrPreconditionFailed and writes nothing. Of several concurrent callers
	// exactly one succeeds.
	PutIfAbsent(ctx context.Context, key string, data []byte) (Version, error)

	// PutIfMatch replaces the object only if its current version equals v. Otherwise (a
	// different version, or the object is missing) it returns ErrPreconditionFailed and writes
	// nothing. This is the compare-and-swap the aggregator builds on. Note: after a lost
	// response the backend may report ErrPreconditionFailed for a write that did happen;
	// callers re-read and check instead of trusting it.
	PutIfMatch(ctx context.Context, key string, data []byte, v Version) (Version, error)

	// Delete removes the object. Deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error

	// List calls fn for every object whose key starts with prefix and sorts strictly after
	// startAfter (if non-empty), in ascending byte order of the key, paginating internally.
	// Listing is recursive (no delimiter). If fn returns an error, List stops and returns it.
	List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error

	// Name describes the store for logs and errors (e.g. "s3://bucket"); it never contains secrets.
	Name() string

	// Close releases clients and connections.
	Close() error
}
