package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// testList: more than one page of keys, listed recursively in ascending byte order, scoped by
// prefix, resumable with startAfter, stoppable by fn's error.
func testList(t *testing.T, s store.Store, base string, o Options) {
	ctx := context.Background()
	dir := base + "list/"
	var want []string
	for i := range o.ListKeys {
		want = append(want, fmt.Sprintf("%sk%05d", dir, i))
	}
	// Orders that a directory walk gets wrong: '-' (0x2d) and '.' (0x2e) sort before '/' (0x2f).
	// (No key is also a "directory" of other keys: filesystems cannot hold both.)
	want = append(want, dir+"a-b", dir+"a.b", dir+"a/b.c", dir+"a/b/c", dir+"a/bb", dir+"z/deep/er/key")
	// Neighbours outside the prefix.
	outside := []string{base + "lis", base + "list-other", base + "list.txt", base + "list0/x", base + "lisz"}
	putAll(t, s, append(slices.Clone(want), outside...), o.Parallelism)
	want = sorted(want)

	got := listInfos(t, s, dir, "")
	if keys := infoKeys(got); !slices.Equal(keys, want) {
		t.Fatalf("List(%q) returned %d keys, want %d; first difference: %s", dir, len(keys), len(want), firstDiff(keys, want))
	}
	// Infos carry size and the current version.
	for _, i := range []int{0, len(got) / 2, len(got) - 1} {
		st, err := s.Stat(ctx, got[i].Key)
		if err != nil {
			t.Fatalf("stat %q: %v", got[i].Key, err)
		}
		if got[i].Size != int64(len(got[i].Key)) || got[i].Version != st.Version {
			t.Errorf("List info for %q: size %d version %q; Stat says size %d version %q", got[i].Key, got[i].Size, got[i].Version, st.Size, st.Version)
		}
	}

	cases := []struct {
		name, prefix, startAfter string
	}{
		{"startAfter an existing key", dir, want[500]},
		{"startAfter between keys", dir, want[700] + "\x00"},
		{"startAfter before the prefix", dir, base},
		{"startAfter past the end", dir, dir + "zz"},
		{"startAfter inside a directory", dir, dir + "a/b/c"},
		{"startAfter a directory name", dir, dir + "a/b/"},
		{"startAfter a directory name without slash", dir, dir + "a/b"},
		{"sub-prefix ending in a slash", dir + "a/", ""},
		{"sub-prefix not ending in a slash", dir + "a", ""},
		{"sub-prefix with startAfter", dir + "a/", dir + "a/b.c"},
		{"prefix of a whole key", dir + "a/b/c", ""},
		{"prefix matching nothing", dir + "nothing", ""},
		{"deep prefix", dir + "z/deep/", ""},
		{"prefix that is part of a name", dir + "k0109", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var expect []string
			for _, k := range want {
				if strings.HasPrefix(k, c.prefix) && k > c.startAfter {
					expect = append(expect, k)
				}
			}
			if len(expect) == 0 && c.prefix != dir+"nothing" && c.startAfter != dir+"zz" {
				t.Fatalf("test case selects nothing")
			}
			if keys := listKeys(t, s, c.prefix, c.startAfter); !slices.Equal(keys, expect) {
				t.Errorf("List(%q, startAfter %q): %d keys, want %d; first difference: %s", c.prefix, c.startAfter, len(keys), len(expect), firstDiff(keys, expect))
			}
		})
	}
	// The walk order itself, spelled out.
	if keys := listKeys(t, s, dir+"a", ""); !slices.Equal(keys, []string{dir + "a-b", dir + "a.b", dir + "a/b.c", dir + "a/b/c", dir + "a/bb"}) {
		t.Errorf("List(%q) = %q", dir+"a", keys)
	}

	t.Run("stops on fn error", func(t *testing.T) {
		stop := errors.New("stop here")
		calls := 0
		err := s.List(ctx, dir, "", func(store.ObjectInfo) error {
			calls++
			if calls == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("List returned %v, want fn's error", err)
		}
		if calls != 3 {
			t.Errorf("fn called %d times after returning an error on call 3", calls)
		}
	})
}

// testSpecialKeys: keys with spaces, '+', '%', and non-ASCII round-trip exactly in Get and List.
func testSpecialKeys(t *testing.T, s store.Store, base string, _ Options) {
	ctx := context.Background()
	dir := base + "special/"
	names := []string{
		"with space", "plus+sign", "a+b c", "percent%", "percent%20encoded", "%2F", "ünïcødé",
		"日本語/キー", "emoji 🙂", "tilde~", "equals=amp&", "colon:semi;comma,", "paren(1)", "quote'",
		"dir with space/file+1%",
	}
	var want []string
	for _, n := range names {
		key := dir + n
		want = append(want, key)
		v := mustPut(t, s, key, []byte(n))
		got, info := mustGet(t, s, key)
		if string(got) != n || info.Key != key || info.Version != v {
			t.Errorf("key %q: got content %q, info key %q version %q", key, got, info.Key, info.Version)
		}
		if _, err := s.Stat(ctx, key); err != nil {
			t.Errorf("stat %q: %v", key, err)
		}
	}
	want = sorted(want)
	if keys := listKeys(t, s, dir, ""); !slices.Equal(keys, want) {
		t.Errorf("List: first difference: %s", firstDiff(keys, want))
	}
	for _, n := range names {
		if err := s.Delete(ctx, dir+n); err != nil {
			t.Errorf("delete %q: %v", dir+n, err)
		}
	}
	if keys := listKeys(t, s, dir, ""); len(keys) != 0 {
		t.Errorf("after deleting all: List = %q", keys)
	}
}

// putAll writes each key with the key itself as content, parallel writers at most.
func putAll(t *testing.T, s store.Store, keys []string, parallel int) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	errs := make(chan error, len(keys))
	for _, k := range keys {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := s.Put(context.Background(), k, []byte(k)); err != nil {
				errs <- fmt.Errorf("put %q: %w", k, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func listInfos(t *testing.T, s store.Store, prefix, startAfter string) []store.ObjectInfo {
	t.Helper()
	var infos []store.ObjectInfo
	err := s.List(context.Background(), prefix, startAfter, func(info store.ObjectInfo) error {
		infos = append(infos, info)
		return nil
	})
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	return infos
}

func infoKeys(infos []store.ObjectInfo) []string {
	keys := make([]string, len(infos))
	for i, info := range infos {
		keys[i] = info.Key
	}
	return keys
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []string) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d got %q, want %q", i, got[i], want[i])
		}
	}
	switch {
	case len(got) > len(want):
		return fmt.Sprintf("extra key %q at %d", got[len(want)], len(want))
	case len(got) < len(want):
		return fmt.Sprintf("missing key %q at %d", want[len(got)], len(got))
	}
	return "none"
}
