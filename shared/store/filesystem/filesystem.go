// Package filesystem is a Store on a local (or shared POSIX) directory: federated-store.yaml's
// `type: FILESYSTEM`, `config: {directory: /path}`. Object k is the file <directory>/k holding
// exactly the object's bytes, so the tree can be seeded or inspected with ordinary tools.
//
// Guarantees:
//   - Writes are atomic: data goes to a temporary file in the target's directory, is fsynced,
//     and renamed over the target. Readers see the old or the new content, never a mix. The
//     directory is not fsynced, so a crash right after a write may lose that write, but never
//     leaves a partial object. (The fsync dominates write latency: a few ms on a local disk.)
//   - Conditional writes are safe across processes (and goroutines): every write and delete of a
//     key holds an exclusive flock(2) on a per-key lock file under <directory>/.fedcost-locks/,
//     named by a hash of the key. Lock files are empty and are never removed (removing a lock
//     file another process holds would break the exclusion).
//   - Versions change on every write, even of identical content: a version is the file's
//     modification time in nanoseconds, size and inode, and each write (under the key lock) sets
//     the new file's mtime strictly after the previous one's. The inode alone already differs
//     from the file being replaced (both exist at the rename); the strictly increasing mtime
//     rules out an older version coming back through inode reuse. A version read by Get comes
//     from fstat of the opened file, so it always describes the content returned.
//   - Keys follow store.ValidateKey, and no segment may start with ".fedcost-" (reserved for
//     lock and temporary files, which List never shows), so nothing escapes the directory.
//
// Limits: a key cannot be both an object and a "directory" of other keys ("a" and "a/b"); the
// second write fails with an error. Empty directories left by Delete are removed. Locking needs
// flock, so the package is for Unix systems.
package filesystem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fedcost/fedcost/shared/store"
)

// reserved starts the names of the store's own files and directories.
const reserved = ".fedcost-"

// lockDir holds the per-key lock files, relative to the root.
const lockDir = reserved + "locks"

// Config is the `config` section of a FILESYSTEM federated-store.yaml.
type Config struct {
	// Directory is the root of the bucket; created (with parents) if missing.
	Directory string `yaml:"directory"`
}

// DefaultConfig returns the defaults (none: the directory is required).
func DefaultConfig() Config { return Config{} }

// Validate names the bad YAML key and what to do.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Directory) == "" {
		return errors.New("config.directory: required: set it to the directory that holds the bucket, e.g. /var/lib/fedcost/bucket")
	}
	return nil
}

// Store is a store.Store on a directory.
type Store struct {
	root string // absolute, cleaned
}

var _ store.Store = (*Store)(nil)

// New opens (creating if needed) the directory c.Directory as a Store.
func New(ctx context.Context, c Config) (*Store, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open filesystem store: %w", err)
	}
	root, err := filepath.Abs(c.Directory)
	if err != nil {
		return nil, fmt.Errorf("open filesystem store %s: %w", c.Directory, err)
	}
	if err := os.MkdirAll(filepath.Join(root, lockDir), 0o755); err != nil {
		return nil, fmt.Errorf("open filesystem store %s: %w", root, err)
	}
	return &Store{root: root}, nil
}

// Name implements store.Store: "file://" and the absolute directory.
func (s *Store) Name() string { return "file://" + s.root }

// Close implements store.Store; there is nothing to release.
func (s *Store) Close() error { return nil }

// path validates key and returns its file path.
func (s *Store) path(key string) (string, error) {
	if err := store.ValidateKey(key); err != nil {
		return "", err
	}
	for _, seg := range strings.Split(key, "/") {
		if strings.HasPrefix(seg, reserved) {
			return "", fmt.Errorf("key %q: segments starting with %q are reserved: %w", key, reserved, store.ErrInvalidKey)
		}
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// begin checks ctx and key for an operation.
func (s *Store) begin(ctx context.Context, op, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%s %s: %w", op, key, err)
	}
	p, err := s.path(key)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return p, nil
}

// missing reports whether err means "no such object" (also when a parent is a file).
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	f, info, err := s.open(ctx, "get", key)
	if err != nil {
		return nil, info, err
	}
	defer f.Close()
	data := make([]byte, info.Size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, store.ObjectInfo{}, fmt.Errorf("get %s: %w", key, err)
	}
	return data, info, nil
}

// GetReader implements store.Store; the reader is the open file.
func (s *Store) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	f, info, err := s.open(ctx, "get", key)
	if err != nil {
		return nil, info, err
	}
	return f, info, nil
}

// open opens the object's file and describes it from fstat, so info matches the content.
func (s *Store) open(ctx context.Context, op, key string) (*os.File, store.ObjectInfo, error) {
	p, err := s.begin(ctx, op, key)
	if err != nil {
		return nil, store.ObjectInfo{}, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if missing(err) || errors.Is(err, syscall.ELOOP) {
			return nil, store.ObjectInfo{}, fmt.Errorf("%s %s: %w", op, key, store.ErrNotFound)
		}
		return nil, store.ObjectInfo{}, fmt.Errorf("%s %s: %w", op, key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, store.ObjectInfo{}, fmt.Errorf("%s %s: %w", op, key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, store.ObjectInfo{}, fmt.Errorf("%s %s: %w", op, key, store.ErrNotFound)
	}
	return f, objectInfo(key, fi), nil
}

// Stat implements store.Store.
func (s *Store) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	p, err := s.begin(ctx, "stat", key)
	if err != nil {
		return store.ObjectInfo{}, err
	}
	fi, err := os.Lstat(p)
	switch {
	case missing(err):
		return store.ObjectInfo{}, fmt.Errorf("stat %s: %w", key, store.ErrNotFound)
	case err != nil:
		return store.ObjectInfo{}, fmt.Errorf("stat %s: %w", key, err)
	case !fi.Mode().IsRegular():
		return store.ObjectInfo{}, fmt.Errorf("stat %s: %w", key, store.ErrNotFound)
	}
	return objectInfo(key, fi), nil
}

// Delete implements store.Store. It removes directories the deletion leaves empty.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.begin(ctx, "delete", key)
	if err != nil {
		return err
	}
	unlock, err := s.lock(ctx, key)
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	defer unlock()
	fi, err := os.Lstat(p)
	if missing(err) || (err == nil && !fi.Mode().IsRegular()) {
		return nil
	}
	if err := os.Remove(p); err != nil && !missing(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	// Best effort: a directory that is not empty (or was just refilled) stays.
	for dir := filepath.Dir(p); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

func objectInfo(key string, fi fs.FileInfo) store.ObjectInfo {
	return store.ObjectInfo{Key: key, Size: fi.Size(), Version: version(fi), Modified: fi.ModTime()}
}

// version is mtime (ns), size and inode, in hex.
func version(fi fs.FileInfo) store.Version {
	return store.Version(fmt.Sprintf("%x-%x-%x", fi.ModTime().UnixNano(), fi.Size(), inode(fi)))
}
