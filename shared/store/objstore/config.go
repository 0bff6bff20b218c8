// Package objstore reads Kubecost's federated-store.yaml (the Thanos objstore format) and opens
// the Store it describes:
//
//	type: S3 | GCS | AZURE | FILESYSTEM   # case-insensitive
//	config: { …provider keys… }
//	prefix: ""                            # optional key prefix inside the bucket
//
// Parsing is strict: an unknown key at any depth is an error naming the key path and its line,
// as is a repeated key, a second YAML document, or a value of the wrong type. Validate names the
// offending key and says what to do. Secrets (store.Secret fields) never appear in errors,
// Summary or logs.
package objstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/azure"
	"github.com/fedcost/fedcost/shared/store/filesystem"
	"github.com/fedcost/fedcost/shared/store/gcs"
	"github.com/fedcost/fedcost/shared/store/s3"
)

// Type is the `type` of a federated-store.yaml, upper-case.
type Type string

// Supported types.
const (
	S3         Type = "S3"
	GCS        Type = "GCS"
	Azure      Type = "AZURE"
	Filesystem Type = "FILESYSTEM"
)

// Types lists the supported types in documentation order.
var Types = []Type{S3, GCS, Azure, Filesystem}

func typeList() string {
	names := make([]string, len(Types))
	for i, t := range Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// Config is a parsed federated-store.yaml. Exactly the provider field matching Type is set.
type Config struct {
	Type   Type
	Prefix string // as written; WithPrefix ignores surrounding slashes

	S3         *s3.Config
	GCS        *gcs.Config
	Azure      *azure.Config
	Filesystem *filesystem.Config
}

// Load reads and parses the file at path (see Parse). Errors start with the file name.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read object store config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Validate checks the whole configuration; errors name the YAML key and say what to do.
func (c *Config) Validate() error {
	var errs []error
	switch c.Type {
	case "":
		errs = append(errs, fmt.Errorf("type: required: one of %s", typeList()))
	case S3:
		errs = appendValidation(errs, c.Type, c.S3)
	case GCS:
		errs = appendValidation(errs, c.Type, c.GCS)
	case Azure:
		errs = appendValidation(errs, c.Type, c.Azure)
	case Filesystem:
		errs = appendValidation(errs, c.Type, c.Filesystem)
	default:
		errs = append(errs, fmt.Errorf("type: unknown type %q: use one of %s", c.Type, typeList()))
	}
	if err := store.ValidatePrefix(c.Prefix); err != nil {
		errs = append(errs, fmt.Errorf("prefix: %w; use a relative path such as tenants/team-a (no \"..\", \".\", empty segments or backslashes)", err))
	}
	return errors.Join(errs...)
}

// appendValidation adds cfg's validation error (or a missing-section error) to errs.
func appendValidation[C interface{ Validate() error }](errs []error, t Type, cfg *C) []error {
	if cfg == nil {
		return append(errs, fmt.Errorf("config: required for type %s", t))
	}
	if err := (*cfg).Validate(); err != nil {
		return append(errs, err)
	}
	return errs
}

// Summary describes the configuration for logs: type, bucket (or directory) and prefix, never
// credentials.
func (c *Config) Summary() string {
	parts := []string{"type=" + string(c.Type)}
	switch {
	case c.Type == S3 && c.S3 != nil:
		parts = append(parts, "bucket="+c.S3.Bucket, "endpoint="+c.S3.Endpoint)
		if c.S3.Region != "" {
			parts = append(parts, "region="+c.S3.Region)
		}
	case c.Type == GCS && c.GCS != nil:
		parts = append(parts, "bucket="+c.GCS.Bucket)
		if c.GCS.Endpoint != "" {
			parts = append(parts, "endpoint="+c.GCS.Endpoint)
		}
	case c.Type == Azure && c.Azure != nil:
		if c.Azure.StorageAccountName != "" {
			parts = append(parts, "storage_account="+c.Azure.StorageAccountName)
		}
		parts = append(parts, "container="+c.Azure.ContainerName)
		if c.Azure.StorageConnectionString.IsSet() {
			parts = append(parts, "endpoint=(from connection string)")
		} else {
			parts = append(parts, "endpoint="+c.Azure.Endpoint)
		}
	case c.Type == Filesystem && c.Filesystem != nil:
		parts = append(parts, "directory="+c.Filesystem.Directory)
	}
	if p := strings.Trim(c.Prefix, "/"); p != "" {
		parts = append(parts, "prefix="+p)
	}
	return strings.Join(parts, " ")
}

// Open validates c, opens the backend, and scopes it to c.Prefix.
func Open(ctx context.Context, c *Config) (store.Store, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("object store config: %w", err)
	}
	var (
		s   store.Store
		err error
	)
	switch c.Type {
	case S3:
		s, err = s3.New(ctx, *c.S3)
	case GCS:
		s, err = gcs.New(ctx, *c.GCS)
	case Azure:
		s, err = azure.New(ctx, *c.Azure)
	case Filesystem:
		s, err = filesystem.New(ctx, *c.Filesystem)
	default:
		err = fmt.Errorf("type %s cannot be opened", c.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", c.Summary(), err)
	}
	return store.WithPrefix(s, c.Prefix), nil
}
