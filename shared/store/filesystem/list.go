package filesystem

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fedcost/fedcost/shared/store"
)

// List implements store.Store. It starts at the deepest directory the prefix names, walks in
// ascending key order (a directory "a" sorts as "a/", so "a-b" < "a/b" as bytes demand), and
// skips whole directories that lie outside the prefix or at or before startAfter.
func (s *Store) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	dir := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir = prefix[:i]
		if _, err := s.path(dir); err != nil {
			return nil // no valid key lies under an invalid directory
		}
	}
	w := walker{s: s, prefix: prefix, startAfter: startAfter, fn: fn}
	if err := w.walk(ctx, dir); err != nil {
		return err
	}
	return nil
}

type walker struct {
	s                  *Store
	prefix, startAfter string
	fn                 func(store.ObjectInfo) error
}

type entry struct {
	name, sortKey string
	dir           bool
	de            os.DirEntry
}

// walk lists the directory for key-space directory dir ("" is the root).
func (w *walker) walk(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(filepath.Join(w.s.root, filepath.FromSlash(dir)))
	if err != nil {
		if missing(err) {
			return nil
		}
		return fmt.Errorf("list %q: %w", w.prefix, err)
	}
	sorted := make([]entry, 0, len(entries))
	for _, de := range entries {
		name := de.Name()
		if strings.HasPrefix(name, reserved) || strings.ContainsRune(name, '\\') {
			continue
		}
		switch {
		case de.IsDir():
			sorted = append(sorted, entry{name: name, sortKey: name + "/", dir: true, de: de})
		case de.Type().IsRegular():
			sorted = append(sorted, entry{name: name, sortKey: name, de: de})
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].sortKey < sorted[j].sortKey })
	for _, e := range sorted {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list %q: %w", w.prefix, err)
		}
		key := e.name
		if dir != "" {
			key = dir + "/" + e.name
		}
		if e.dir {
			sub := key + "/"
			if !strings.HasPrefix(sub, w.prefix) && !strings.HasPrefix(w.prefix, sub) {
				continue
			}
			// Every key under sub is sub+something; all are <= startAfter when startAfter is
			// greater than sub without running through it.
			if w.startAfter > sub && !strings.HasPrefix(w.startAfter, sub) {
				continue
			}
			if err := w.walk(ctx, key); err != nil {
				return err
			}
			continue
		}
		if !strings.HasPrefix(key, w.prefix) || (w.startAfter != "" && key <= w.startAfter) {
			continue
		}
		fi, err := e.de.Info()
		if err != nil {
			if missing(err) {
				continue // deleted since ReadDir
			}
			return fmt.Errorf("list %q: %w", w.prefix, err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if err := w.fn(objectInfo(key, fi)); err != nil {
			return err
		}
	}
	return nil
}
