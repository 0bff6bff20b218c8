package filesystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fedcost/fedcost/shared/store"
)

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.write(ctx, "put", key, data, func(fs.FileInfo) bool { return true })
}

// PutIfAbsent implements store.Store.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	return s.write(ctx, "put-if-absent", key, data, func(cur fs.FileInfo) bool { return cur == nil })
}

// PutIfMatch implements store.Store.
func (s *Store) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	return s.write(ctx, "put-if-match", key, data, func(cur fs.FileInfo) bool {
		return cur != nil && version(cur) == v
	})
}

// write replaces key's file atomically if allowed(current file or nil) says so. It holds the key
// lock from the check to the rename.
func (s *Store) write(ctx context.Context, op, key string, data []byte, allowed func(fs.FileInfo) bool) (store.Version, error) {
	p, err := s.begin(ctx, op, key)
	if err != nil {
		return "", err
	}
	unlock, err := s.lock(ctx, key)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", op, key, err)
	}
	defer unlock()

	cur, err := os.Lstat(p)
	switch {
	case missing(err):
		cur = nil
	case err != nil:
		return "", fmt.Errorf("%s %s: %w", op, key, err)
	case !cur.Mode().IsRegular():
		return "", fmt.Errorf("%s %s: a directory of other keys (or a non-file) is in the way", op, key)
	}
	if !allowed(cur) {
		return "", fmt.Errorf("%s %s: %w", op, key, store.ErrPreconditionFailed)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%s %s: %w", op, key, err)
	}
	fi, err := s.replace(p, data, cur)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", op, key, err)
	}
	return version(fi), nil
}

// replace writes data to a temporary file next to p, gives it an mtime after cur's, and renames
// it over p. It returns the new file's info.
func (s *Store) replace(p string, data []byte, cur fs.FileInfo) (fs.FileInfo, error) {
	tmp, err := createTemp(filepath.Dir(p))
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	fi, err := setLaterMtime(tmp.Name(), cur)
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return nil, err
	}
	done = true
	return fi, nil
}

// createTemp creates a temporary file in dir, creating dir. A concurrent Delete may remove an
// empty dir between the two steps, so it retries.
func createTemp(dir string) (*os.File, error) {
	var err error
	for range 10 {
		if err = os.MkdirAll(dir, 0o755); err != nil {
			if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTDIR) {
				return nil, fmt.Errorf("a key is in the way of directory %s: %w", filepath.Base(dir), err)
			}
			continue
		}
		var f *os.File
		if f, err = os.CreateTemp(dir, reserved+"tmp-*"); err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// setLaterMtime sets the file's mtime to now, or just after cur's if the clock has not passed
// it, and checks that the filesystem kept it strictly later (some truncate to seconds).
func setLaterMtime(name string, cur fs.FileInfo) (fs.FileInfo, error) {
	t := time.Now()
	for attempt := range 3 {
		if cur != nil && !t.After(cur.ModTime()) {
			step := time.Microsecond
			if attempt > 0 {
				step = time.Second // the filesystem keeps coarser times
			}
			t = cur.ModTime().Truncate(step).Add(step)
		}
		if err := os.Chtimes(name, t, t); err != nil {
			return nil, err
		}
		fi, err := os.Lstat(name)
		if err != nil {
			return nil, err
		}
		if cur == nil || fi.ModTime().After(cur.ModTime()) {
			return fi, nil
		}
		t = fi.ModTime()
	}
	return nil, fmt.Errorf("cannot give the new file a modification time after %s", cur.ModTime())
}
