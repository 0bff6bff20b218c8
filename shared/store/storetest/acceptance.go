// Package storetest is the conformance suite every store.Store backend must pass, and a common
// benchmark. Backends call Acceptance from their tests (memory and filesystem always; cloud
// backends against a real or faithful fake server), and once more behind store.WithPrefix.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sort"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// Names of the subtests, for Options.Skip.
const (
	TestNotFound        = "NotFound"
	TestRoundTrip       = "RoundTrip"
	TestPutIfAbsent     = "PutIfAbsent"
	TestCreateRace      = "CreateRace"
	TestCompareAndSwap  = "CompareAndSwap"
	TestStaleVersion    = "StaleVersion"
	TestList            = "List"
	TestSpecialKeys     = "SpecialKeys"
	TestLargeObject     = "LargeObject"
	TestContextCanceled = "ContextCanceled"
	TestDelete          = "Delete"
)

// Options adapt the suite to what a backend documents about itself.
type Options struct {
	// VersionsAreContentHashes says that rewriting identical content may keep the version (S3
	// ETags are MD5s of the content). Versions must still change whenever the content changes.
	VersionsAreContentHashes bool
	// LargeObjectSize is the size above which a backend changes its write path (S3 multipart
	// uploads, GCS resumable uploads). The suite writes an object one byte larger.
	// Default DefaultLargeObjectSize.
	LargeObjectSize int
	// ListKeys is how many keys the listing test writes; it must exceed 1,000 (one S3 page)
	// so that internal pagination is exercised. Default 1,100.
	ListKeys int
	// Parallelism bounds concurrent writes while filling the listing test. Default 16.
	Parallelism int
	// Skip names subtests the backend cannot pass, each with the documented reason, which is
	// printed. A name that is not a subtest fails the suite (so typos do not skip silently).
	Skip map[string]string
}

// DefaultLargeObjectSize is 6 MiB: above the 5 MiB S3 minimum part size, so a backend with a
// multipart threshold at or below it takes its multipart path.
const DefaultLargeObjectSize = 6 << 20

func (o Options) withDefaults() Options {
	if o.LargeObjectSize <= 0 {
		o.LargeObjectSize = DefaultLargeObjectSize
	}
	if o.ListKeys <= 1000 {
		o.ListKeys = 1100
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 16
	}
	return o
}

type subtest struct {
	name string
	run  func(t *testing.T, s store.Store, base string, o Options)
}

func subtests() []subtest {
	return []subtest{
		{TestNotFound, testNotFound},
		{TestRoundTrip, testRoundTrip},
		{TestPutIfAbsent, testPutIfAbsent},
		{TestCreateRace, testCreateRace},
		{TestCompareAndSwap, testCompareAndSwap},
		{TestStaleVersion, testStaleVersion},
		{TestList, testList},
		{TestSpecialKeys, testSpecialKeys},
		{TestLargeObject, testLargeObject},
		{TestContextCanceled, testContextCanceled},
		{TestDelete, testDelete},
	}
}

// Acceptance runs the conformance suite. newStore is called once to print the target's name and
// once per subtest; it should return an empty store (or one that is shared but empty under the
// keys the suite uses: every subtest works under its own random key prefix) and arrange its own
// cleanup with t.Cleanup.
func Acceptance(t *testing.T, newStore func(t *testing.T) store.Store, opts Options) {
	t.Helper()
	opts = opts.withDefaults()
	known := map[string]bool{}
	for _, st := range subtests() {
		known[st.name] = true
	}
	for name := range opts.Skip {
		if !known[name] {
			t.Fatalf("storetest.Options.Skip names %q, which is not a subtest", name)
		}
	}
	t.Logf("acceptance: %s", newStore(t).Name())
	run := randomHex(4)
	for _, st := range subtests() {
		t.Run(st.name, func(t *testing.T) {
			if reason, ok := opts.Skip[st.name]; ok {
				t.Skipf("backend documents it cannot: %s", reason)
			}
			s := newStore(t)
			t.Logf("acceptance: %s", s.Name())
			st.run(t, s, "fedcost-acceptance-"+run+"/"+st.name+"/", opts)
		})
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mustPut writes and fails the test on error.
func mustPut(t *testing.T, s store.Store, key string, data []byte) store.Version {
	t.Helper()
	v, err := s.Put(context.Background(), key, data)
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
	if v == "" {
		t.Fatalf("put %q returned an empty version", key)
	}
	return v
}

// mustGet reads and fails the test on error.
func mustGet(t *testing.T, s store.Store, key string) ([]byte, store.ObjectInfo) {
	t.Helper()
	data, info, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return data, info
}

// expectIs fails unless err wraps target.
func expectIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one wrapping %q", what, err, target)
	}
}

// listKeys returns the keys List reports, failing on error.
func listKeys(t *testing.T, s store.Store, prefix, startAfter string) []string {
	t.Helper()
	var keys []string
	err := s.List(context.Background(), prefix, startAfter, func(info store.ObjectInfo) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("list prefix=%q startAfter=%q: %v", prefix, startAfter, err)
	}
	return keys
}

func sorted(keys []string) []string {
	out := append([]string(nil), keys...)
	sort.Strings(out)
	return out
}
