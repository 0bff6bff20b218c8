package gcs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
)

// fakeGCS is fake-gcs-server (in process) served on 127.0.0.1 by httptest, with a recorder of
// the request URLs it got.
type fakeGCS struct {
	srv  *httptest.Server
	fake *fakestorage.Server

	mu      sync.Mutex
	urls    []string // "METHOD path?query"
	buckets int
	deny    bool // answer every request with 403
}

// startFake runs the fake with the named buckets and returns a Config for the first one.
func startFake(t testing.TB, buckets ...string) (Config, *fakeGCS) {
	t.Helper()
	fs, err := fakestorage.NewServerWithOptions(fakestorage.Options{NoListener: true})
	if err != nil {
		t.Fatalf("fake-gcs-server: %v", err)
	}
	t.Cleanup(fs.Stop)
	for _, b := range buckets {
		fs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: b})
	}
	f := &fakeGCS{fake: fs}
	h := fs.HTTPHandler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.urls = append(f.urls, r.Method+" "+r.URL.RequestURI())
		deny := f.deny
		f.mu.Unlock()
		if deny {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"code":403,"message":"fedcost@p.iam.gserviceaccount.com does not have storage.objects.create access","errors":[{"reason":"forbidden"}]}}`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	c := DefaultConfig()
	c.Endpoint = f.srv.URL
	if len(buckets) > 0 {
		c.Bucket = buckets[0]
	}
	return c, f
}

// newBucket creates a bucket with a fresh name and returns it. fake-gcs-server lists by scanning
// a whole bucket, so suites that write thousands of keys each get their own.
func (f *fakeGCS) newBucket(t testing.TB) string {
	t.Helper()
	f.mu.Lock()
	f.buckets++
	name := fmt.Sprintf("fedcost-%d", f.buckets)
	f.mu.Unlock()
	f.fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
	return name
}

// requests returns the recorded "METHOD uri" lines containing all of substrs.
func (f *fakeGCS) requests(substrs ...string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
next:
	for _, u := range f.urls {
		for _, s := range substrs {
			if !strings.Contains(u, s) {
				continue next
			}
		}
		out = append(out, u)
	}
	return out
}

func mustNew(t testing.TB, c Config) *Store {
	t.Helper()
	s, err := New(context.Background(), c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
