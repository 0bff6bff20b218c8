package s3

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 is gofakes3 served on 127.0.0.1 by httptest, with a recorder of the requests it got
// and an optional hook that can answer a request instead of gofakes3.
type fakeS3 struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []recorded
	hook     func(w http.ResponseWriter, r *http.Request) bool // true: handled
}

type recorded struct {
	Method, Path, Query string
	Header              http.Header
}

func newFakeS3(t testing.TB, bucket string) *fakeS3 {
	t.Helper()
	f := &fakeS3{}
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	h := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone()})
		hook := f.hook
		f.mu.Unlock()
		if hook != nil && hook(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// host is the server's host:port, the form config.endpoint takes.
func (f *fakeS3) host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *fakeS3) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

// find returns the recorded requests with this method whose query contains substr.
func (f *fakeS3) find(method, querySubstr string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.requests {
		if r.Method == method && strings.Contains(r.Query, querySubstr) {
			out = append(out, r)
		}
	}
	return out
}

// fakeConfig is a Config for the fake: static keys, plain http, path style.
func fakeConfig(f *fakeS3, bucket string) Config {
	c := DefaultConfig()
	c.Bucket = bucket
	c.Endpoint = f.host()
	c.Insecure = true
	c.AccessKey = "AKIAFAKEFAKEFAKE"
	c.SecretKey = "fake-secret-key-for-tests"
	return c
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
