// Package memory is an in-process Store: a map behind a mutex. It is the reference backend for
// tests and demos; nothing survives the process.
//
// Versions come from one counter per Store, so every write (even of identical content, even
// after a Delete) gets a version never used before.
package memory

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/store"
)

type object struct {
	data []byte
	info store.ObjectInfo
}

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	name string
	now  func() time.Time

	mu      sync.Mutex
	objects map[string]object
	next    uint64
}

var _ store.Store = (*Store)(nil)

// New returns an empty store. name appears in Name() as "memory://name".
func New(name string) *Store {
	return &Store{name: name, now: time.Now, objects: map[string]object{}}
}

// Name implements store.Store.
func (s *Store) Name() string { return "memory://" + s.name }

// Close implements store.Store; it keeps the data (a closed memory store still answers).
func (s *Store) Close() error { return nil }

func begin(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s %s: %w", op, key, err)
	}
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if err := begin(ctx, "get", key); err != nil {
		return nil, store.ObjectInfo{}, err
	}
	s.mu.Lock()
	o, ok := s.objects[key]
	s.mu.Unlock()
	if !ok {
		return nil, store.ObjectInfo{}, fmt.Errorf("get %s: %w", key, store.ErrNotFound)
	}
	return bytes.Clone(o.data), o.info, nil
}

// GetReader implements store.Store.
func (s *Store) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	data, info, err := s.Get(ctx, key)
	if err != nil {
		return nil, info, err
	}
	return io.NopCloser(bytes.NewReader(data)), info, nil
}

// Stat implements store.Store.
func (s *Store) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if err := begin(ctx, "stat", key); err != nil {
		return store.ObjectInfo{}, err
	}
	s.mu.Lock()
	o, ok := s.objects[key]
	s.mu.Unlock()
	if !ok {
		return store.ObjectInfo{}, fmt.Errorf("stat %s: %w", key, store.ErrNotFound)
	}
	return o.info, nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.put(ctx, "put", key, data, func(object, bool) bool { return true })
}

// PutIfAbsent implements store.Store.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.put(ctx, "put-if-absent", key, data, func(_ object, exists bool) bool { return !exists })
}

// PutIfMatch implements store.Store.
func (s *Store) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	return s.put(ctx, "put-if-match", key, data, func(o object, exists bool) bool {
		return exists && o.info.Version == v
	})
}

// put writes data under key if allowed(current, exists) says so, all under the lock.
func (s *Store) put(ctx context.Context, op, key string, data []byte, allowed func(object, bool) bool) (store.Version, error) {
	if err := begin(ctx, op, key); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, exists := s.objects[key]
	if !allowed(cur, exists) {
		return "", fmt.Errorf("%s %s: %w", op, key, store.ErrPreconditionFailed)
	}
	s.next++
	v := store.Version(strconv.FormatUint(s.next, 10))
	s.objects[key] = object{
		data: bytes.Clone(data),
		info: store.ObjectInfo{Key: key, Size: int64(len(data)), Version: v, Modified: s.now()},
	}
	return v, nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := begin(ctx, "delete", key); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.objects, key)
	s.mu.Unlock()
	return nil
}

// List implements store.Store. It calls fn on a snapshot taken at the start, without holding
// the lock, so fn may use the store.
func (s *Store) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	s.mu.Lock()
	var infos []store.ObjectInfo
	for k, o := range s.objects {
		if strings.HasPrefix(k, prefix) && (startAfter == "" || k > startAfter) {
			infos = append(infos, o.info)
		}
	}
	s.mu.Unlock()
	sort.Slice(infos, func(i, j int) bool { return infos[i].Key < infos[j].Key })
	for _, info := range infos {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %q: %w", prefix, err)
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}
