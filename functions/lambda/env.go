package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/s3"
)

// Settings is the function's configuration, from its environment:
//
//	FEDCOST_BUCKET            the bucket (required)
//	FEDCOST_PREFIX            the store prefix ("" for none)
//	FEDCOST_LOG_LEVEL         debug, info (default), warn, error
//	FEDCOST_RECONCILE_BUDGET  time budget of a scheduled reconcile (default 4m)
//	AWS_REGION                set by Lambda
//	FEDCOST_S3_ENDPOINT       S3 endpoint override (tests, VPC endpoints): host[:port] or http(s)://host[:port]
//
// Credentials come from the AWS SDK chain (the function's role; AWS_ACCESS_KEY_ID etc.).
type Settings struct {
	Bucket          string
	Prefix          string
	LogLevel        slog.Level
	ReconcileBudget time.Duration
	Region          string
	Endpoint        string
}

// SettingsFromEnv reads Settings through getenv (os.Getenv in main).
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{Bucket: getenv("FEDCOST_BUCKET"), Prefix: strings.Trim(getenv("FEDCOST_PREFIX"), "/"),
		Region: getenv("AWS_REGION"), Endpoint: getenv("FEDCOST_S3_ENDPOINT"), ReconcileBudget: DefaultReconcileBudget}
	var errs []error
	if s.Bucket == "" {
		errs = append(errs, errors.New("FEDCOST_BUCKET: required: the bucket the agents upload to"))
	}
	if v := getenv("FEDCOST_LOG_LEVEL"); v != "" {
		if err := s.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("FEDCOST_LOG_LEVEL: %q is not debug, info, warn or error", v))
		}
	}
	if v := getenv("FEDCOST_RECONCILE_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("FEDCOST_RECONCILE_BUDGET: %q is not a positive duration such as 4m", v))
		}
		s.ReconcileBudget = d
	}
	return s, errors.Join(errs...)
}

// S3Config is the s3 backend configuration for the settings: the SDK credential chain, the
// regional AWS endpoint unless overridden.
func (s Settings) S3Config() s3.Config {
	c := s3.DefaultConfig()
	c.Bucket = s.Bucket
	c.Region = s.Region
	c.AWSSDKAuth = true
	c.Endpoint = "s3.amazonaws.com"
	if s.Region != "" {
		c.Endpoint = "s3." + s.Region + ".amazonaws.com"
	}
	if s.Endpoint != "" {
		host, plain := strings.CutPrefix(s.Endpoint, "http://")
		host = strings.TrimPrefix(host, "https://")
		c.Endpoint = strings.TrimSuffix(host, "/")
		c.Insecure = plain
	}
	return c
}

// OpenStore opens the bucket, scoped to the prefix.
func (s Settings) OpenStore(ctx context.Context) (store.Store, error) {
	st, err := s3.New(ctx, s.S3Config())
	if err != nil {
		return nil, fmt.Errorf("open s3://%s: %w", s.Bucket, err)
	}
	return store.WithPrefix(st, s.Prefix), nil
}
