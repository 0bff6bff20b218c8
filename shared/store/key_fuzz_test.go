package store_test

import (
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// FuzzValidateKey: a key that passes cannot escape a directory it is joined to and is already
// in canonical form (cleaning it changes nothing), so two different valid keys never name one file.
func FuzzValidateKey(f *testing.F) {
	for _, seed := range []string{"a", "a/b", "../x", "a/../b", "a//b", "/a", "a/", `a\b`, "ü/日本", "a b+c%", ".", "..", ".a/..b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if store.ValidateKey(key) != nil {
			return
		}
		if path.Clean(key) != key {
			t.Fatalf("valid key %q is not clean (%q)", key, path.Clean(key))
		}
		root := filepath.FromSlash("/root/bucket")
		joined := filepath.Join(root, filepath.FromSlash(key))
		if !strings.HasPrefix(joined, root+string(filepath.Separator)) {
			t.Fatalf("valid key %q escapes the root: %q", key, joined)
		}
	})
}
