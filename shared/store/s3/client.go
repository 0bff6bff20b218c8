package s3

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fedcost/fedcost/shared/store/exthttp"
)

// awsEndpoint matches the public AWS S3 endpoints (s3.amazonaws.com, s3.<region>.amazonaws.com,
// s3-<region>.amazonaws.com, s3.dualstack.<region>.amazonaws.com, and the .com.cn ones). For
// these the SDK resolves the endpoint from the region; any other host is used as given.
var awsEndpoint = regexp.MustCompile(`^s3(?:[.-]dualstack)?(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$`)

// defaultRegion is used when neither the config, the endpoint nor the SDK chain names one; it is
// what MinIO, Ceph and most S3-compatible servers expect.
const defaultRegion = "us-east-1"

// New validates c and builds the store. It does not contact the server (so it works offline and
// starts fast); a wrong bucket or credential shows up on the first call.
//
// Credentials: access_key/secret_key (with session_token) when given; otherwise the AWS SDK
// default chain (IRSA web identity via sts_endpoint if set, environment, shared files, instance
// role) — aws_sdk_auth: true and leaving the keys empty behave the same. On the SDK path the
// SDK's own settings apply too, notably AWS_CA_BUNDLE, which adds to ca_file's roots.
func New(ctx context.Context, c Config) (*Store, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("s3 config: %w", err)
	}
	headers, _ := parseMetadata(c.PutUserMetadata) // validated above
	sse, err := c.SSEConfig.load()
	if err != nil {
		return nil, fmt.Errorf("s3 config: %w", err)
	}

	m := awsEndpoint.FindStringSubmatch(c.Endpoint)
	isAWS := m != nil
	region := c.Region
	if region == "" && isAWS && m[1] != "" && m[1] != "external-1" {
		region = m[1]
	}

	var cfg aws.Config
	var closeIdle func()
	if c.AccessKey != "" {
		hc, err := c.HTTPConfig.Client("config.http_config")
		if err != nil {
			return nil, fmt.Errorf("s3 config: %w", err)
		}
		closeIdle = hc.CloseIdleConnections
		cfg = aws.Config{
			HTTPClient: hc,
			Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
				c.AccessKey, c.SecretKey.Value(), c.SessionToken.Value())),
		}
	} else {
		cfg, closeIdle, err = loadSDKConfig(ctx, c, region)
		if err != nil {
			return nil, err
		}
	}
	cfg.Region = regionOr(region, regionOr(cfg.Region, defaultRegion))

	pathStyle := c.BucketLookupType == LookupPath ||
		((c.BucketLookupType == LookupAuto || c.BucketLookupType == "") && !isAWS)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if !isAWS {
			scheme := "https"
			if c.Insecure {
				scheme = "http"
			}
			o.BaseEndpoint = aws.String(scheme + "://" + c.Endpoint)
		}
		o.EndpointOptions.DisableHTTPS = c.Insecure
		o.UsePathStyle = pathStyle
		// Checksums only where S3 requires them: S3-compatible servers differ in which of the
		// newer x-amz-checksum headers they accept; Content-MD5 (send_content_md5) is universal.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &Store{
		client:    client,
		closeIdle: closeIdle,
		bucket:    c.Bucket,
		conf:      c,
		headers:   headers,
		sse:       sse,
		conflict:  defaultConflictRetry,
	}, nil
}

// loadSDKConfig loads the AWS SDK default configuration and credential chain (IRSA web
// identity, environment, shared files, instance role). The HTTP client is the SDK's buildable
// one adjusted to http_config, so that the SDK can still add AWS_CA_BUNDLE to the trusted roots
// (after ca_file's, if any). The returned func closes the idle connections of the transport the
// SDK built.
func loadSDKConfig(ctx context.Context, c Config, region string) (aws.Config, func(), error) {
	tr, err := c.HTTPConfig.Transport("config.http_config")
	if err != nil {
		return aws.Config{}, nil, fmt.Errorf("s3 config: %w", err)
	}
	var mu sync.Mutex
	var built []*http.Transport
	bc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		exthttp.CopyTo(t, tr)
		mu.Lock()
		built = append(built, t)
		mu.Unlock()
	})
	closeIdle := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, t := range built {
			t.CloseIdleConnections()
		}
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithHTTPClient(bc)}
	// The STS client of the web-identity provider is made before the SDK settles its HTTP
	// client; it gets a forwarder that is pointed at that client once loading is done.
	sdkClient := &forwardingClient{}
	if c.STSEndpoint != "" {
		stsEndpoint := stsURL(c.STSEndpoint)
		opts = append(opts, awsconfig.WithWebIdentityRoleCredentialOptions(func(o *stscreds.WebIdentityRoleOptions) {
			o.Client = sts.New(sts.Options{Region: regionOr(region, defaultRegion), BaseEndpoint: &stsEndpoint, HTTPClient: sdkClient})
		}))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, nil, fmt.Errorf("s3 config.aws_sdk_auth: load the AWS SDK configuration: %w", err)
	}
	sdkClient.client = cfg.HTTPClient
	return cfg, closeIdle, nil
}

// forwardingClient sends requests with client, which is set before first use.
type forwardingClient struct{ client aws.HTTPClient }

func (f *forwardingClient) Do(r *http.Request) (*http.Response, error) { return f.client.Do(r) }

func regionOr(r, fallback string) string {
	if r != "" {
		return r
	}
	return fallback
}

// stsURL is sts_endpoint as a URL: a bare host means https (STS is never plain HTTP in AWS;
// config.insecure is about the S3 endpoint only).
func stsURL(ep string) string {
	if strings.HasPrefix(ep, "http://") || strings.HasPrefix(ep, "https://") {
		return ep
	}
	return "https://" + ep
}
