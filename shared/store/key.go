package store

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidKey: a key or prefix breaks the rules of ValidateKey. It is permanent (never retried).
var ErrInvalidKey = errors.New("invalid key")

// ValidateKey checks the key rules every backend shares, so that a key which works on one backend
// works on all and nothing can escape a filesystem root: a key is non-empty valid UTF-8, does not
// start or end with "/", has no empty, "." or ".." segments, and contains no backslash or NUL.
// Spaces, '+', '%' and other Unicode characters are allowed. Errors wrap ErrInvalidKey.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("key is empty: %w", ErrInvalidKey)
	}
	if err := checkPath(key); err != nil {
		return fmt.Errorf("key %q: %s: %w", key, err, ErrInvalidKey)
	}
	return nil
}

// ValidatePrefix checks a bucket prefix (as in federated-store.yaml's `prefix`). Surrounding
// slashes are ignored ("/a/b/" is the prefix "a/b"); the rest must follow the key rules. An empty
// prefix is valid and means "no prefix".
func ValidatePrefix(prefix string) error {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return nil
	}
	if err := checkPath(p); err != nil {
		return fmt.Errorf("prefix %q: %s: %w", prefix, err, ErrInvalidKey)
	}
	return nil
}

// checkPath returns a reason (no key in it) or nil.
func checkPath(p string) error {
	switch {
	case !utf8.ValidString(p):
		return errors.New("not valid UTF-8")
	case strings.ContainsRune(p, 0):
		return errors.New("contains a NUL byte")
	case strings.ContainsRune(p, '\\'):
		return errors.New("contains a backslash")
	case strings.HasPrefix(p, "/"):
		return errors.New("starts with \"/\"")
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return errors.New("has an empty segment (\"//\" or a trailing \"/\")")
		case ".", "..":
			return fmt.Errorf("has a %q segment", seg)
		}
	}
	return nil
}
