// Package flaky wraps a store.Store for tests: it can be switched down (every operation fails
// with a transient error, like an unreachable bucket), it records successful writes in order,
// and it can override the modification time that List and Stat report.
package flaky

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/store"
)

// ErrDown is the transient error of a store that is down.
var ErrDown = errors.New("dial tcp 127.0.0.1:9: connection refused")

// Store is the wrapper. The zero value is not usable; use New.
type Store struct {
	store.Store
	mu       sync.Mutex
	down     bool
	puts     []string
	modified map[string]time.Time
	now      func() time.Time
}

// New wraps s. If now is not nil, every successful Put sets the key's modification time to
// now() (so that tests with a fake clock see consistent times).
func New(s store.Store, now func() time.Time) *Store {
	return &Store{Store: s, now: now, modified: map[string]time.Time{}}
}

// SetDown switches the store down (true) or up.
func (f *Store) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// Puts returns the keys written successfully, in order, and forgets them.
func (f *Store) Puts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.puts
	f.puts = nil
	return p
}

// SetModified makes List and Stat report t as the modification time of key.
func (f *Store) SetModified(key string, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.modified[key] = t
}

func (f *Store) check() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return ErrDown
	}
	return nil
}

func (f *Store) fix(info store.ObjectInfo) store.ObjectInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.modified[info.Key]; ok {
		info.Modified = t
	}
	return info
}

// Get implements store.Store.
func (f *Store) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if err := f.check(); err != nil {
		return nil, store.ObjectInfo{}, err
	}
	data, info, err := f.Store.Get(ctx, key)
	return data, f.fix(info), err
}

// GetReader implements store.Store.
func (f *Store) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	if err := f.check(); err != nil {
		return nil, store.ObjectInfo{}, err
	}
	return f.Store.GetReader(ctx, key)
}

// Stat implements store.Store.
func (f *Store) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if err := f.check(); err != nil {
		return store.ObjectInfo{}, err
	}
	info, err := f.Store.Stat(ctx, key)
	return f.fix(info), err
}

// Put implements store.Store.
func (f *Store) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	v, err := f.Store.Put(ctx, key, data)
	if err == nil {
		f.mu.Lock()
		f.puts = append(f.puts, key)
		delete(f.modified, key)
		if f.now != nil {
			f.modified[key] = f.now()
		}
		f.mu.Unlock()
	}
	return v, err
}

// PutIfAbsent implements store.Store.
func (f *Store) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	return f.Store.PutIfAbsent(ctx, key, data)
}

// PutIfMatch implements store.Store.
func (f *Store) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	return f.Store.PutIfMatch(ctx, key, data, v)
}

// Delete implements store.Store.
func (f *Store) Delete(ctx context.Context, key string) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.Delete(ctx, key)
}

// List implements store.Store.
func (f *Store) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.List(ctx, prefix, startAfter, func(info store.ObjectInfo) error { return fn(f.fix(info)) })
}
