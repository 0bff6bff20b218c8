package store_test

import (
	"errors"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

func TestValidateKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"federated/cluster-1/etl/bingen/allocations/1d/1690761600-1690848000", true},
		{"with space/plus+sign/percent%20/ünï/日本", true},
		{".hidden/..dots../x..", true},
		{"", false},
		{"/abs", false},
		{"trailing/", false},
		{"a//b", false},
		{"..", false},
		{"../x", false},
		{"a/../b", false},
		{"a/./b", false},
		{".", false},
		{`a\b`, false},
		{"a\x00b", false},
		{"\xff\xfe", false},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			t.Parallel()
			err := store.ValidateKey(c.key)
			if c.ok != (err == nil) {
				t.Fatalf("ValidateKey(%q) = %v, want ok=%v", c.key, err, c.ok)
			}
			if err != nil && !errors.Is(err, store.ErrInvalidKey) {
				t.Errorf("error %v does not wrap ErrInvalidKey", err)
			}
		})
	}
}

func TestValidatePrefix(t *testing.T) {
	t.Parallel()
	for prefix, ok := range map[string]bool{
		"": true, "/": true, "tenant": true, "/a/b/": true, "a/b": true,
		"a/../b": false, "..": false, "a//b": false, `a\b`: false, "/../": false,
	} {
		if err := store.ValidatePrefix(prefix); ok != (err == nil) {
			t.Errorf("ValidatePrefix(%q) = %v, want ok=%v", prefix, err, ok)
		}
	}
}
