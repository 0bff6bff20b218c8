package filesystem_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/filesystem"
	"github.com/fedcost/fedcost/shared/store/storetest"
)

func newStore(t testing.TB, dir string) *filesystem.Store {
	t.Helper()
	s, err := filesystem.New(context.Background(), filesystem.Config{Directory: dir})
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAcceptance(t *testing.T) {
	t.Parallel()
	storetest.Acceptance(t, func(t *testing.T) store.Store { return newStore(t, t.TempDir()) }, storetest.Options{})
}

func TestAcceptanceWithPrefix(t *testing.T) {
	t.Parallel()
	storetest.Acceptance(t, func(t *testing.T) store.Store {
		return store.WithPrefix(newStore(t, t.TempDir()), "/tenants/a b/")
	}, storetest.Options{})
}

func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, newStore(b, b.TempDir()))
}

func TestInvalidKeys(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := newStore(t, filepath.Join(root, "bucket"))
	ctx := context.Background()
	for _, key := range []string{
		"", "/abs", "../escape", "a/../../escape", "a/./b", "a//b", "a/", `a\b`, `..\x`, "a\x00b",
		".fedcost-locks/x", "a/.fedcost-tmp-123", ".fedcost-anything", "\xff",
	} {
		t.Run(key, func(t *testing.T) {
			if _, err := s.Put(ctx, key, []byte("x")); !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
			}
			if _, _, err := s.Get(ctx, key); !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("Get(%q) = %v, want ErrInvalidKey", key, err)
			}
			if err := s.Delete(ctx, key); !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
			}
		})
	}
	// Nothing was written outside the bucket.
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "bucket" {
		t.Errorf("files appeared next to the bucket: %v", entries)
	}
}

func TestFilesHoldRawContentAndListHidesInternals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newStore(t, dir)
	ctx := context.Background()
	if _, err := s.Put(ctx, "federated/c1/etl/file", []byte("raw bytes")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "federated", "c1", "etl", "file"))
	if err != nil || string(got) != "raw bytes" {
		t.Fatalf("file on disk: %q, %v", got, err)
	}
	// A leftover temporary file (a crashed writer) and the lock directory stay invisible.
	if err := os.WriteFile(filepath.Join(dir, "federated", ".fedcost-tmp-999"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".fedcost-locks")); err != nil {
		t.Fatalf("lock directory: %v", err)
	}
	var keys []string
	if err := s.List(ctx, "", "", func(i store.ObjectInfo) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "federated/c1/etl/file" {
		t.Errorf("List = %q, want only the object", keys)
	}
	// Delete removes the directories it empties, not the root.
	if err := s.Delete(ctx, "federated/c1/etl/file"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "federated", "c1")); !os.IsNotExist(err) {
		t.Errorf("empty directory federated/c1 left behind: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("root removed: %v", err)
	}
}

func TestVersionChangesOnIdenticalQuickWrites(t *testing.T) {
	t.Parallel()
	s := newStore(t, t.TempDir())
	ctx := context.Background()
	seen := map[store.Version]int{}
	for i := range 200 {
		v, err := s.Put(ctx, "k", []byte("same"))
		if err != nil {
			t.Fatal(err)
		}
		if j, dup := seen[v]; dup {
			t.Fatalf("write %d got version %q of write %d", i, v, j)
		}
		seen[v] = i
		st, err := s.Stat(ctx, "k")
		if err != nil || st.Version != v {
			t.Fatalf("stat after write %d: %q %v, want %q", i, st.Version, err, v)
		}
	}
}

func TestExternalEditChangesVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := newStore(t, dir)
	ctx := context.Background()
	v, err := s.Put(ctx, "k", []byte("ours"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "k"), []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutIfMatch(ctx, "k", []byte("x"), v); !errors.Is(err, store.ErrPreconditionFailed) {
		t.Errorf("PutIfMatch after an external edit: %v, want ErrPreconditionFailed", err)
	}
}

func TestKeyAndDirectoryConflict(t *testing.T) {
	t.Parallel()
	s := newStore(t, t.TempDir())
	ctx := context.Background()
	if _, err := s.Put(ctx, "a", []byte("file")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Put(ctx, "a/b", []byte("under a file"))
	if err == nil {
		t.Fatal("Put under an existing object succeeded")
	}
	if errors.Is(err, store.ErrPreconditionFailed) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("conflict reported as a sentinel: %v", err)
	}
	if _, _, err := s.Get(ctx, "a/b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get below an object: %v, want ErrNotFound", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dir, want string
	}{
		{"", "config.directory: required"},
		{"  ", "config.directory: required"},
		{"/tmp/x", ""},
	} {
		err := filesystem.Config{Directory: c.dir}.Validate()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Validate(%q) = %v, want %q", c.dir, err, c.want)
		}
	}
}
