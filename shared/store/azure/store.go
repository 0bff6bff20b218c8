// Package azure is the Azure Blob Storage backend of store.Store, configured by the
// `type: AZURE` block of a Kubecost/Thanos federated-store.yaml. It also runs against Azurite.
//
// Contracts beyond store.Store:
//   - Version is the blob's ETag, quoted as in Azure's ETag header (listings, which return it
//     unquoted, are normalized). Every write changes it, even of identical content.
//   - PutIfAbsent sends If-None-Match: * and PutIfMatch sends If-Match: <etag>. Azure answers a
//     create-only write on an existing blob with 409 BlobAlreadyExists and a failed If-Match with
//     412 ConditionNotMet; both are store.ErrPreconditionFailed. Blobs above 256 MiB are staged
//     in blocks and the condition is applied to the final Put Block List, so the write stays
//     conditional as a whole. (The SDK's UploadBuffer drops the access conditions on its
//     block-list commit, which is why this package stages blocks itself.)
//   - Errors name the operation and azure://<account host>/<container>/<key>, wrap the store
//     sentinel they mean and the SDK error, and never contain the account key or a SAS token.
package azure

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/fedcost/fedcost/shared/store"
)

// defaultBlockSize is the block size of staged uploads (above singlePutMax).
const defaultBlockSize = 64 << 20

// Store is an Azure blob container. Create it with New.
type Store struct {
	client      *container.Client
	httpClient  *http.Client
	name        string
	auth        string // which credential New chose, for logs
	readRetries int32
	// singlePutMax is the largest blob written with one Put Blob; above it blocks are staged.
	singlePutMax int64
	blockSize    int64
}

var _ store.Store = (*Store)(nil)

// Name returns azure://<account host>/<container> (no credentials, no SAS).
func (s *Store) Name() string { return s.name }

// String is Name.
func (s *Store) String() string { return s.name }

// Auth describes the credential in use (e.g. "shared key", "system-assigned managed identity").
func (s *Store) Auth() string { return s.auth }

// Close releases idle connections.
func (s *Store) Close() error {
	s.httpClient.CloseIdleConnections()
	return nil
}

func (s *Store) checkKey(op, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("azure %s in %s: %w", op, s.name, err)
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

// GetReader implements store.Store. With reader_config.max_retry_requests > 0 a broken stream is
// resumed from where it stopped, pinned to the ETag first read.
func (s *Store) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	if err := s.checkKey("get", key); err != nil {
		return nil, store.ObjectInfo{}, err
	}
	resp, err := s.client.NewBlobClient(key).DownloadStream(ctx, nil)
	if err != nil {
		return nil, store.ObjectInfo{}, s.wrap("get", key, err)
	}
	info := objectInfo(key, resp.ContentLength, resp.ETag, resp.LastModified)
	if s.readRetries > 0 {
		return resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: s.readRetries}), info, nil
	}
	return resp.Body, info, nil
}

// Stat implements store.Store.
func (s *Store) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if err := s.checkKey("stat", key); err != nil {
		return store.ObjectInfo{}, err
	}
	p, err := s.client.NewBlobClient(key).GetProperties(ctx, nil)
	if err != nil {
		return store.ObjectInfo{}, s.wrap("stat", key, err)
	}
	return objectInfo(key, p.ContentLength, p.ETag, p.LastModified), nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.put(ctx, "put", key, data, nil)
}

// PutIfAbsent implements store.Store with If-None-Match: *.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.put(ctx, "put-if-absent", key, data, &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)})
}

// PutIfMatch implements store.Store with If-Match: <v>. An empty v never matches (an empty
// If-Match would make the write unconditional); a missing blob is ErrPreconditionFailed.
func (s *Store) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	if v == "" {
		return "", fmt.Errorf("azure put-if-match %s/%s: empty version: %w", s.name, key, store.ErrPreconditionFailed)
	}
	return s.put(ctx, "put-if-match", key, data, &blob.ModifiedAccessConditions{IfMatch: to.Ptr(azcore.ETag(v))})
}

func (s *Store) put(ctx context.Context, op, key string, data []byte, cond *blob.ModifiedAccessConditions) (store.Version, error) {
	if err := s.checkKey(op, key); err != nil {
		return "", err
	}
	var access *blob.AccessConditions
	if cond != nil {
		access = &blob.AccessConditions{ModifiedAccessConditions: cond}
	}
	bb := s.client.NewBlockBlobClient(key)
	var etag *azcore.ETag
	if int64(len(data)) <= s.singlePutMax {
		resp, err := bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), &blockblob.UploadOptions{AccessConditions: access})
		if err != nil {
			return "", s.wrapPut(op, key, err, cond)
		}
		etag = resp.ETag
	} else {
		resp, err := s.putBlocks(ctx, bb, data, access)
		if err != nil {
			return "", s.wrapPut(op, key, err, cond)
		}
		etag = resp.ETag
	}
	return store.Version(derefETag(etag)), nil
}

// putBlocks stages data in blocks and commits the list under the write's access conditions.
// Block IDs carry a random per-upload nonce, so concurrent writers of the same blob never
// overwrite each other's uncommitted blocks.
func (s *Store) putBlocks(ctx context.Context, bb *blockblob.Client, data []byte, access *blob.AccessConditions) (blockblob.CommitBlockListResponse, error) {
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	var ids []string
	for off, i := int64(0), 0; off < int64(len(data)); off, i = off+s.blockSize, i+1 {
		chunk := data[off:min(off+s.blockSize, int64(len(data)))]
		id := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s-%06d", hex.EncodeToString(nonce), i))
		if _, err := bb.StageBlock(ctx, id, streaming.NopCloser(bytes.NewReader(chunk)), nil); err != nil {
			return blockblob.CommitBlockListResponse{}, fmt.Errorf("stage block %d: %w", i, err)
		}
		ids = append(ids, id)
	}
	return bb.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{AccessConditions: access})
}

// Delete implements store.Store; deleting a missing blob succeeds. Snapshots go with the blob.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.checkKey("delete", key); err != nil {
		return err
	}
	_, err := s.client.NewBlobClient(key).Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)})
	if err != nil && classify(err) != store.ErrNotFound {
		return s.wrap("delete", key, err)
	}
	return nil
}

// List implements store.Store. Azure's List Blobs has no "start after" that is documented as
// generally available (startFrom appears in preview SDKs only, and Azurite ignores it), so the
// listing starts at prefix and keys up to startAfter are skipped here: correct everywhere, at the
// cost of reading the skipped names.
func (s *Store) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	pager := s.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: optional(prefix)})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return s.wrap("list", prefix, err)
		}
		if page.Segment == nil {
			continue
		}
		for _, b := range page.Segment.BlobItems {
			name := derefString(b.Name)
			if name <= startAfter || !strings.HasPrefix(name, prefix) {
				continue
			}
			var info store.ObjectInfo
			if p := b.Properties; p != nil {
				info = objectInfo(name, p.ContentLength, p.ETag, p.LastModified)
			} else {
				info.Key = name
			}
			if err := fn(info); err != nil {
				return err
			}
		}
	}
	return nil
}

func objectInfo(key string, size *int64, etag *azcore.ETag, modified *time.Time) store.ObjectInfo {
	info := store.ObjectInfo{Key: key, Version: store.Version(derefETag(etag))}
	if size != nil {
		info.Size = *size
	}
	if modified != nil {
		info.Modified = *modified
	}
	return info
}

// derefETag returns the ETag in the quoted form Azure uses in headers. Listings carry it
// unquoted (<Etag>0x8D…</Etag>); quoting it here makes List, Stat and Put agree on a Version,
// and the quoted form is what If-Match expects.
func derefETag(e *azcore.ETag) string {
	if e == nil || *e == "" {
		return ""
	}
	v := string(*e)
	if !strings.HasPrefix(v, `"`) {
		v = `"` + v + `"`
	}
	return v
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
