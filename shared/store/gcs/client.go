package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

// New validates c and builds the store. It resolves credentials (the service-account key, or
// Application Default Credentials) but does not contact the bucket; a wrong bucket or missing
// permission shows up on the first call.
func New(ctx context.Context, c Config) (*Store, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("gcs config: %w", err)
	}
	hc, err := c.HTTPConfig.Client("config.http_config")
	if err != nil {
		return nil, fmt.Errorf("gcs config: %w", err)
	}
	var auth string
	opts := []option.ClientOption{storage.WithJSONReads()}
	switch {
	case c.emulator():
		auth = "none (plain-http emulator endpoint)"
		opts = append(opts, option.WithoutAuthentication(), option.WithHTTPClient(hc))
	default:
		// The configured transport (timeouts, TLS) wrapped with OAuth2, as storage.NewClient
		// would do itself if it were not given an http.Client.
		authOpts := []option.ClientOption{option.WithScopes(storage.ScopeReadWrite)}
		auth = "Application Default Credentials"
		if c.ServiceAccount.IsSet() {
			auth = "service account key"
			authOpts = append(authOpts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(c.ServiceAccount.Value())))
		}
		rt, err := htransport.NewTransport(ctx, hc.Transport, authOpts...)
		if err != nil {
			if c.ServiceAccount.IsSet() {
				// Do not wrap: a parse error could quote part of the key.
				return nil, errors.New("gcs config.service_account: the key was rejected by the Google auth library; paste the whole service-account key file")
			}
			return nil, fmt.Errorf("gcs credentials: no config.service_account and Application Default Credentials failed (on GKE use Workload Identity; elsewhere set GOOGLE_APPLICATION_CREDENTIALS): %w", err)
		}
		opts = append(opts, option.WithHTTPClient(&http.Client{Transport: rt}))
	}
	if c.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(c.Endpoint, "/")+"/storage/v1/"))
	}
	client, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs client: %w", err)
	}
	if c.MaxRetries > 0 {
		client.SetRetry(storage.WithMaxAttempts(c.MaxRetries + 1))
	}
	return &Store{
		client:     client,
		httpClient: hc,
		bucket:     client.Bucket(c.Bucket),
		name:       "gs://" + c.Bucket,
		auth:       auth,
		chunkSize:  c.ChunkSizeBytes,
	}, nil
}
