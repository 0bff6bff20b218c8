package storetest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// testNotFound: every read of a missing key is ErrNotFound; PutIfMatch on a missing key is
// ErrPreconditionFailed and creates nothing; deleting a missing key is not an error.
func testNotFound(t *testing.T, s store.Store, base string, _ Options) {
	ctx := context.Background()
	missing := base + "missing"
	other := base + "other"
	otherVersion := mustPut(t, s, other, []byte("x"))

	_, _, err := s.Get(ctx, missing)
	expectIs(t, "Get missing", err, store.ErrNotFound)
	r, _, err := s.GetReader(ctx, missing)
	expectIs(t, "GetReader missing", err, store.ErrNotFound)
	if r != nil {
		r.Close()
		t.Errorf("GetReader missing returned a reader")
	}
	_, err = s.Stat(ctx, missing)
	expectIs(t, "Stat missing", err, store.ErrNotFound)
	_, err = s.PutIfMatch(ctx, missing, []byte("y"), otherVersion)
	expectIs(t, "PutIfMatch missing", err, store.ErrPreconditionFailed)
	_, err = s.Stat(ctx, missing)
	expectIs(t, "Stat after refused PutIfMatch", err, store.ErrNotFound)
	if err := s.Delete(ctx, missing); err != nil {
		t.Errorf("Delete missing: %v", err)
	}
	// A missing "directory" (a prefix of existing keys) is missing too.
	_, _, err = s.Get(ctx, base[:len(base)-1])
	expectIs(t, "Get of a key prefix", err, store.ErrNotFound)
}

// testRoundTrip: content and info come back as written, from Get, GetReader and Stat; every
// write yields a new version.
func testRoundTrip(t *testing.T, s store.Store, base string, o Options) {
	ctx := context.Background()
	key := base + "dir/object.bin"
	contents := [][]byte{[]byte("first"), []byte("second, longer"), []byte("second, longer"), {}, []byte("x")}
	seen := map[store.Version]int{}
	var prev []byte
	for i, data := range contents {
		v := mustPut(t, s, key, data)
		identical := i > 0 && bytes.Equal(data, prev)
		if j, dup := seen[v]; dup && !(identical && j == i-1 && o.VersionsAreContentHashes) {
			t.Errorf("write %d returned version %q, already returned by write %d", i, v, j)
		}
		seen[v] = i
		prev = data

		got, info := mustGet(t, s, key)
		if !bytes.Equal(got, data) {
			t.Errorf("write %d: Get returned %q, want %q", i, got, data)
		}
		checkInfo(t, "Get", info, key, len(data), v)

		st, err := s.Stat(ctx, key)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		checkInfo(t, "Stat", st, key, len(data), v)

		r, rinfo, err := s.GetReader(ctx, key)
		if err != nil {
			t.Fatalf("get reader: %v", err)
		}
		streamed, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if !bytes.Equal(streamed, data) {
			t.Errorf("write %d: GetReader returned %q, want %q", i, streamed, data)
		}
		checkInfo(t, "GetReader", rinfo, key, len(data), v)
	}
	// Get must return a copy: changing it must not change the store.
	got, _ := mustGet(t, s, key)
	if len(got) > 0 {
		got[0] ^= 0xff
		again, _ := mustGet(t, s, key)
		if again[0] == got[0] {
			t.Errorf("Get returned the store's own buffer")
		}
	}
}

func checkInfo(t *testing.T, op string, info store.ObjectInfo, key string, size int, v store.Version) {
	t.Helper()
	if info.Key != key {
		t.Errorf("%s: info.Key = %q, want %q", op, info.Key, key)
	}
	if info.Size != int64(size) {
		t.Errorf("%s: info.Size = %d, want %d", op, info.Size, size)
	}
	if info.Version != v {
		t.Errorf("%s: info.Version = %q, want the version Put returned, %q", op, info.Version, v)
	}
	if info.Modified.IsZero() {
		t.Errorf("%s: info.Modified is zero", op)
	}
}

// testPutIfAbsent: creates once, then refuses without writing.
func testPutIfAbsent(t *testing.T, s store.Store, base string, _ Options) {
	ctx := context.Background()
	key := base + "once"
	v, err := s.PutIfAbsent(ctx, key, []byte("one"))
	if err != nil {
		t.Fatalf("first PutIfAbsent: %v", err)
	}
	_, err = s.PutIfAbsent(ctx, key, []byte("two"))
	expectIs(t, "second PutIfAbsent", err, store.ErrPreconditionFailed)
	got, info := mustGet(t, s, key)
	if string(got) != "one" || info.Version != v {
		t.Errorf("after refused PutIfAbsent: content %q version %q, want %q %q", got, info.Version, "one", v)
	}
}

// testStaleVersion: PutIfMatch with an outdated version is refused and writes nothing; with
// the current version it succeeds and returns a new version.
func testStaleVersion(t *testing.T, s store.Store, base string, _ Options) {
	ctx := context.Background()
	key := base + "cas"
	v1 := mustPut(t, s, key, []byte("v1"))
	v2 := mustPut(t, s, key, []byte("v2"))
	if v1 == v2 {
		t.Fatalf("two writes of different content share version %q", v1)
	}
	_, err := s.PutIfMatch(ctx, key, []byte("stale"), v1)
	expectIs(t, "PutIfMatch with stale version", err, store.ErrPreconditionFailed)
	_, err = s.PutIfMatch(ctx, key, []byte("bogus"), store.Version("not-a-version"))
	expectIs(t, "PutIfMatch with made-up version", err, store.ErrPreconditionFailed)
	if got, _ := mustGet(t, s, key); string(got) != "v2" {
		t.Fatalf("refused PutIfMatch wrote: content %q", got)
	}
	v3, err := s.PutIfMatch(ctx, key, []byte("v3"), v2)
	if err != nil {
		t.Fatalf("PutIfMatch with current version: %v", err)
	}
	if v3 == v2 || v3 == "" {
		t.Errorf("PutIfMatch returned version %q (previous %q)", v3, v2)
	}
	got, info := mustGet(t, s, key)
	if string(got) != "v3" || info.Version != v3 {
		t.Errorf("after PutIfMatch: content %q version %q, want v3 %q", got, info.Version, v3)
	}
}

// testDelete: a deleted object is gone for every read and for List; deleting twice is fine; the
// key can be created again, and the old version does not match the new object.
func testDelete(t *testing.T, s store.Store, base string, _ Options) {
	ctx := context.Background()
	key := base + "doomed"
	keep := base + "doomed-not"
	old := mustPut(t, s, key, []byte("old content"))
	mustPut(t, s, keep, []byte("stays"))
	for i := 0; i < 2; i++ {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("delete #%d: %v", i+1, err)
		}
	}
	_, _, err := s.Get(ctx, key)
	expectIs(t, "Get after Delete", err, store.ErrNotFound)
	_, err = s.Stat(ctx, key)
	expectIs(t, "Stat after Delete", err, store.ErrNotFound)
	_, _, err = s.GetReader(ctx, key)
	expectIs(t, "GetReader after Delete", err, store.ErrNotFound)
	if keys := listKeys(t, s, base, ""); len(keys) != 1 || keys[0] != keep {
		t.Errorf("List after Delete = %q, want only %q", keys, keep)
	}
	_, err = s.PutIfMatch(ctx, key, []byte("x"), old)
	expectIs(t, "PutIfMatch on a deleted object", err, store.ErrPreconditionFailed)
	if _, err := s.PutIfAbsent(ctx, key, []byte("new content")); err != nil {
		t.Fatalf("PutIfAbsent after Delete: %v", err)
	}
	_, err = s.PutIfMatch(ctx, key, []byte("y"), old)
	expectIs(t, "PutIfMatch with the version of the deleted object", err, store.ErrPreconditionFailed)
	if got, _ := mustGet(t, s, key); string(got) != "new content" {
		t.Errorf("content %q, want %q", got, "new content")
	}
}
