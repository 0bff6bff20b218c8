package azure

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/fedcost/fedcost/shared/store"
)

// classify maps an Azure error to the store sentinel it means, or nil. ContainerNotFound is
// deliberately not ErrNotFound: a missing container is a configuration error.
func classify(err error) error {
	switch {
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return nil
	case bloberror.HasCode(err, bloberror.BlobNotFound):
		return store.ErrNotFound
	case bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet):
		return store.ErrPreconditionFailed
	case bloberror.HasCode(err, bloberror.AuthorizationFailure, bloberror.AuthenticationFailed,
		bloberror.AuthorizationPermissionMismatch, bloberror.InsufficientAccountPermissions):
		return store.ErrAccessDenied
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		switch re.StatusCode {
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
	redactURL(err)
	if sentinel := classify(err); sentinel != nil {
		return fmt.Errorf("azure %s %s/%s: %w: %w", op, s.name, key, sentinel, err)
	}
	return fmt.Errorf("azure %s %s/%s: %w", op, s.name, key, err)
}

// wrapPut is wrap for conditional writes: under If-Match a missing blob (404) means the
// precondition failed, as store.Store.PutIfMatch requires.
func (s *Store) wrapPut(op, key string, err error, cond *blob.ModifiedAccessConditions) error {
	redactURL(err)
	if cond != nil && cond.IfMatch != nil && classify(err) == store.ErrNotFound {
		return fmt.Errorf("azure %s %s/%s: %w (the blob does not exist): %w", op, s.name, key, store.ErrPreconditionFailed, err)
	}
	return s.wrap(op, key, err)
}

// redactURL removes the query from the request URL inside a transport error (*url.Error, e.g.
// "connection refused"): with a connection string the query is the SAS token, a credential.
// (The SDK's own ResponseError already prints the path only.)
func redactURL(err error) {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = "REDACTED"
			ue.URL = u.String()
		} else if perr != nil {
			ue.URL = "(request URL redacted)"
		}
	}
}
