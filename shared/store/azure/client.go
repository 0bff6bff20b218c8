package azure

import (
	"context"
	"fmt"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// New validates c and builds the store. It does not contact Azure; a wrong container or
// credential shows up on the first call.
//
// Credentials, in order: storage_connection_string; storage_account + storage_account_key
// (shared key); user_assigned_id (workload identity with that client ID when the pod has a
// federated token, else that user-assigned managed identity); msi_resource (the system-assigned
// managed identity); otherwise azidentity's DefaultAzureCredential (environment service
// principal, workload identity, managed identity, Azure CLI).
func New(ctx context.Context, c Config) (*Store, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("azure config: %w", err)
	}
	hc, err := c.HTTPConfig.Client("config.http_config")
	if err != nil {
		return nil, fmt.Errorf("azure config: %w", err)
	}
	opts := azcore.ClientOptions{Transport: hc, Retry: c.retryOptions()}
	copts := &container.ClientOptions{ClientOptions: opts}

	var client *container.Client
	var auth string
	containerURL := c.serviceURL() + url.PathEscape(c.ContainerName)
	switch {
	case c.StorageConnectionString.IsSet():
		auth = "connection string"
		client, err = container.NewClientFromConnectionString(c.StorageConnectionString.Value(), c.ContainerName, copts)
		if err != nil {
			// The SDK's parse errors quote no part of the string, but stay safe: name the key only.
			return nil, fmt.Errorf("azure config.storage_connection_string: cannot be parsed (check its AccountName=, AccountKey= / SharedAccessSignature= and BlobEndpoint= parts)")
		}
	case c.StorageAccountKey.IsSet():
		auth = "shared key"
		cred, err := container.NewSharedKeyCredential(c.StorageAccountName, c.StorageAccountKey.Value())
		if err != nil {
			return nil, fmt.Errorf("azure config.storage_account_key: not a valid account key (it must be the base64 key from the portal)")
		}
		client, err = container.NewClientWithSharedKeyCredential(containerURL, cred, copts)
		if err != nil {
			return nil, fmt.Errorf("azure client for %s: %w", containerURL, err)
		}
	default:
		cred, kind, err := tokenCredential(c, opts)
		if err != nil {
			return nil, err
		}
		auth = kind
		client, err = container.NewClient(containerURL, cred, copts)
		if err != nil {
			return nil, fmt.Errorf("azure client for %s: %w", containerURL, err)
		}
	}
	u, err := url.Parse(client.URL())
	if err != nil {
		return nil, fmt.Errorf("azure container URL: %w", err)
	}
	u.RawQuery = "" // a SAS token from a connection string is a credential
	return &Store{
		client:       client,
		httpClient:   hc,
		name:         "azure://" + u.Host + u.EscapedPath(),
		auth:         auth,
		readRetries:  int32(c.ReaderConfig.MaxRetryRequests),
		singlePutMax: blockblob.MaxUploadBlobBytes,
		blockSize:    defaultBlockSize,
	}, nil
}

// tokenCredential picks the Microsoft Entra credential and describes it.
func tokenCredential(c Config, opts azcore.ClientOptions) (azcore.TokenCredential, string, error) {
	switch {
	case c.UserAssignedID != "":
		mi, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: opts, ID: azidentity.ClientID(c.UserAssignedID),
		})
		if err != nil {
			return nil, "", fmt.Errorf("azure config.user_assigned_id: managed identity credential: %w", err)
		}
		// NewWorkloadIdentityCredential succeeds only where the workload identity webhook put a
		// federated token file (AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID) into the pod.
		wi, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, ClientID: c.UserAssignedID,
		})
		if err != nil {
			return mi, "user-assigned managed identity", nil
		}
		chain, err := azidentity.NewChainedTokenCredential([]azcore.TokenCredential{wi, mi}, nil)
		if err != nil {
			return nil, "", fmt.Errorf("azure config.user_assigned_id: %w", err)
		}
		return chain, "workload identity, then user-assigned managed identity", nil
	case c.MSIResource != "":
		mi, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts})
		if err != nil {
			return nil, "", fmt.Errorf("azure config.msi_resource: managed identity credential: %w", err)
		}
		return mi, "system-assigned managed identity", nil
	default:
		cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: opts})
		if err != nil {
			return nil, "", fmt.Errorf("azure credentials: no storage_account_key, storage_connection_string or managed identity configured, and DefaultAzureCredential failed: %w", err)
		}
		return cred, "DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI)", nil
	}
}

func (c Config) retryOptions() policy.RetryOptions {
	r := policy.RetryOptions{
		TryTimeout:    c.PipelineConfig.TryTimeout,
		RetryDelay:    c.PipelineConfig.RetryDelay,
		MaxRetryDelay: c.PipelineConfig.MaxRetryDelay,
	}
	switch {
	case c.PipelineConfig.MaxTries > 0:
		r.MaxRetries = c.PipelineConfig.MaxTries
	case c.MaxRetries > 0:
		r.MaxRetries = int32(c.MaxRetries)
	}
	return r
}
