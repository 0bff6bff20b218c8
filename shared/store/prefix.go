package store

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// WithPrefix scopes s to the keys under prefix, like federated-store.yaml's `prefix`: key k of the
// returned Store is prefix+"/"+k in s, and List reports keys with the prefix stripped. Surrounding
// slashes of prefix are ignored; an empty prefix returns s itself. A prefix that fails
// ValidatePrefix yields a Store whose every operation returns that error (callers that take the
// prefix from configuration validate it first, as objstore does).
func WithPrefix(s Store, prefix string) Store {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return s
	}
	return &prefixed{s: s, prefix: p + "/", err: ValidatePrefix(prefix)}
}

type prefixed struct {
	s      Store
	prefix string // with a trailing "/"
	err    error  // invalid prefix
}

func (p *prefixed) full(key string) (string, error) {
	if p.err != nil {
		return "", p.err
	}
	if key == "" {
		return "", fmt.Errorf("key is empty: %w", ErrInvalidKey)
	}
	return p.prefix + key, nil
}

func (p *prefixed) strip(info ObjectInfo) ObjectInfo {
	info.Key = strings.TrimPrefix(info.Key, p.prefix)
	return info
}

func (p *prefixed) Get(ctx context.Context, key string) ([]byte, ObjectInfo, error) {
	k, err := p.full(key)
	if err != nil {
		return nil, ObjectInfo{}, fmt.Errorf("get %s: %w", key, err)
	}
	data, info, err := p.s.Get(ctx, k)
	return data, p.strip(info), err
}

func (p *prefixed) GetReader(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	k, err := p.full(key)
	if err != nil {
		return nil, ObjectInfo{}, fmt.Errorf("get %s: %w", key, err)
	}
	r, info, err := p.s.GetReader(ctx, k)
	return r, p.strip(info), err
}

func (p *prefixed) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	k, err := p.full(key)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("stat %s: %w", key, err)
	}
	info, err := p.s.Stat(ctx, k)
	return p.strip(info), err
}

func (p *prefixed) Put(ctx context.Context, key string, data []byte) (Version, error) {
	k, err := p.full(key)
	if err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	return p.s.Put(ctx, k, data)
}

func (p *prefixed) PutIfAbsent(ctx context.Context, key string, data []byte) (Version, error) {
	k, err := p.full(key)
	if err != nil {
		return "", fmt.Errorf("put-if-absent %s: %w", key, err)
	}
	return p.s.PutIfAbsent(ctx, k, data)
}

func (p *prefixed) PutIfMatch(ctx context.Context, key string, data []byte, v Version) (Version, error) {
	k, err := p.full(key)
	if err != nil {
		return "", fmt.Errorf("put-if-match %s: %w", key, err)
	}
	return p.s.PutIfMatch(ctx, k, data, v)
}

func (p *prefixed) Delete(ctx context.Context, key string) error {
	k, err := p.full(key)
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return p.s.Delete(ctx, k)
}

func (p *prefixed) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	if p.err != nil {
		return fmt.Errorf("list %q: %w", prefix, p.err)
	}
	if startAfter != "" {
		startAfter = p.prefix + startAfter
	}
	return p.s.List(ctx, p.prefix+prefix, startAfter, func(info ObjectInfo) error {
		return fn(p.strip(info))
	})
}

// Name is the inner store's name with the prefix appended as a path, e.g. "s3://bucket/tenant".
func (p *prefixed) Name() string {
	return strings.TrimSuffix(p.s.Name(), "/") + "/" + strings.TrimSuffix(p.prefix, "/")
}

func (p *prefixed) Close() error { return p.s.Close() }
