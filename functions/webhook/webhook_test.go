package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

const (
	token  = "s3cr3t-token"
	prefix = "fedcost data"
)

var window = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	st   store.Store // prefixed
	srv  *Server
	http *httptest.Server
	logs *syncBuffer
}

func newFixture(t *testing.T, wrap func(store.Store) store.Store, o Options) *fixture {
	t.Helper()
	f := &fixture{st: store.WithPrefix(memory.New("fedcost"), prefix), logs: &syncBuffer{}}
	cst := f.st
	if wrap != nil {
		cst = wrap(cst)
	}
	log := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	core, err := ingest.New(ingest.Config{Store: cst, Logger: log, MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	o.Core, o.Token, o.Prefix, o.Bucket, o.Logger = core, token, prefix, "fedcost", log
	if o.RetryBase == 0 {
		o.RetryBase, o.RetryMax = time.Millisecond, 10*time.Millisecond
	}
	f.srv, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.http.Close)
	return f
}

// run runs the server until the returned stop is called (or the test ends); stop waits for Run.
func (f *fixture) run(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = f.srv.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func (f *fixture) post(t *testing.T, body string, auth func(*http.Request)) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/events", strings.NewReader(body))
	if auth != nil {
		auth(req)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// event is an S3 notification for the upload of cluster's kind in the fixture window.
func event(cluster string, k layout.Kind) string {
	u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: window}
	key := strings.ReplaceAll(prefix, " ", "+") + "/" + u.Key()
	return `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"fedcost"},"object":{"key":"` + key + `"}}}]}`
}

func putWindow(t *testing.T, st store.Store, cluster string) {
	t.Helper()
	for _, k := range layout.Kinds {
		u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: window}
		d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i-" + cluster, Source: "test", BuiltAt: window.End})
		if k == layout.Allocations {
			a := &cost.Allocation{Name: cluster + "/n0/ns/p/c", Start: window.Start, End: window.End,
				Properties: &cost.AllocationProperties{Node: "n0", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: 1, CPUCost: 0.03}
			d.Allocations[a.Name] = a
		} else {
			a := &cost.Asset{Type: cost.NodeAssetType, Start: window.Start, End: window.End,
				Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "AWS", Name: "n0"}, CPUCoreHours: 2, CPUCost: 0.08}
			d.Assets[a.Key()] = a
		}
		b, err := etl.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(context.Background(), u.Key(), b); err != nil {
			t.Fatal(err)
		}
	}
}

func isDerived(t *testing.T, st store.Store, cluster string) bool {
	t.Helper()
	key := layout.Derived{Kind: layout.DerivedAllocations, Cluster: cluster, Resolution: layout.Hourly, Window: window}.Key()
	_, err := st.Stat(context.Background(), key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// eventually polls cond (the work is asynchronous); it asserts an outcome, never a duration.
func eventually(t *testing.T, what string, cond func() bool, logs fmtStringer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened; logs:\n%s", what, logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type fmtStringer interface{ String() string }

func TestAuthAndRequests(t *testing.T) {
	f := newFixture(t, nil, Options{MaxBody: 4096})
	ev := event("c1", layout.Allocations)
	for _, tc := range []struct {
		name   string
		method string
		body   string
		auth   func(*http.Request)
		want   int
	}{
		{"bearer", "POST", ev, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, http.StatusAccepted},
		{"bare token (MinIO with a two-word token)", "POST", ev, func(r *http.Request) { r.Header.Set("Authorization", token) }, http.StatusAccepted},
		{"basic password", "POST", ev, func(r *http.Request) { r.SetBasicAuth("rgw", token) }, http.StatusAccepted},
		{"query token", "POST", ev, func(r *http.Request) { r.URL.RawQuery = "token=" + token }, http.StatusAccepted},
		{"wrong bearer", "POST", ev, func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, http.StatusUnauthorized},
		{"token prefix only", "POST", ev, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token[:4]) }, http.StatusUnauthorized},
		{"no auth", "POST", ev, func(*http.Request) {}, http.StatusUnauthorized},
		{"GET", "GET", "", nil, http.StatusMethodNotAllowed},
		{"malformed", "POST", "{not json", nil, http.StatusBadRequest},
		{"too large", "POST", `{"Records":[` + strings.Repeat(`{"eventName":"x"},`, 500) + `{}]}`, nil, http.StatusRequestEntityTooLarge},
		{"test event", "POST", readFixture(t, "s3-test-event.json"), nil, http.StatusOK},
		{"MinIO", "POST", readFixture(t, "minio-put.json"), nil, http.StatusAccepted},
		{"Ceph RGW", "POST", readFixture(t, "ceph-put.json"), nil, http.StatusAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, f.http.URL+"/events", strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+token)
			if tc.auth != nil {
				req.Header.Del("Authorization")
				tc.auth(req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d; want %d", resp.StatusCode, tc.want)
			}
		})
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		resp, err := http.Get(f.http.URL + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/metrics" && !strings.Contains(string(b), `fedcost_webhook_requests_total{code="401"} 3`) {
			t.Fatalf("metrics lack the 401 count:\n%s", b)
		}
	}
}

func TestEventsBecomeDerivedData(t *testing.T) {
	for _, fx := range []struct{ name, alloc, assets string }{
		{"plain S3 format", event("c1", layout.Allocations), event("c1", layout.Assets)},
		{"MinIO and Ceph fixtures", readFixture(t, "minio-put.json"), readFixture(t, "ceph-put.json")},
	} {
		t.Run(fx.name, func(t *testing.T) {
			f := newFixture(t, nil, Options{})
			putWindow(t, f.st, "c1")
			f.run(t)
			for _, ev := range []string{fx.alloc, fx.assets} {
				if code := f.post(t, ev, nil); code != http.StatusAccepted {
					t.Fatalf("status %d", code)
				}
			}
			eventually(t, "c1 derived", func() bool { return isDerived(t, f.st, "c1") }, f.logs)
		})
	}
}

func TestKeysOutsideScopeIgnored(t *testing.T) {
	f := newFixture(t, nil, Options{})
	for _, ev := range []string{
		strings.Replace(event("c1", layout.Allocations), "fedcost+data/", "elsewhere/", 1),
		strings.Replace(event("c1", layout.Allocations), `"name":"fedcost"`, `"name":"other"`, 1),
		`{"Records":[{"s3":{"object":{"key":"fedcost+data/federated/combined/status/c1.json"}}}]}`,
		`{"Records":[{"s3":{"object":{"key":"%zz"}}}]}`,
	} {
		if code := f.post(t, ev, nil); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	if n := f.srv.q.len(); n != 0 {
		t.Fatalf("%d keys queued; want none", n)
	}
}

// gateStore blocks every Get until open is closed.
type gateStore struct {
	store.Store
	open chan struct{}
}

func (g gateStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, store.ObjectInfo{}, ctx.Err()
	}
	return g.Store.Get(ctx, key)
}

func TestQueueFullAnswers503(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, func(s store.Store) store.Store { return gateStore{s, gate} }, Options{QueueSize: 2, Workers: 1})
	putWindow(t, f.st, "c1")
	putWindow(t, f.st, "c2")
	f.run(t)
	for i, tc := range []struct {
		ev   string
		want int
	}{
		{event("c1", layout.Allocations), http.StatusAccepted},
		{event("c1", layout.Assets), http.StatusAccepted},
		{event("c1", layout.Assets), http.StatusAccepted}, // a duplicate takes no room
		{event("c2", layout.Allocations), http.StatusServiceUnavailable},
	} {
		if code := f.post(t, tc.ev, nil); code != tc.want {
			t.Fatalf("post %d: status %d; want %d", i, code, tc.want)
		}
	}
	close(gate)
	eventually(t, "queue empty", func() bool { return f.srv.q.len() == 0 }, f.logs)
	if code := f.post(t, event("c2", layout.Allocations), nil); code != http.StatusAccepted {
		t.Fatalf("after the queue emptied: status %d", code)
	}
	eventually(t, "c1 and c2 derived", func() bool { return isDerived(t, f.st, "c1") && isDerived(t, f.st, "c2") }, f.logs)
}

// flakyStore fails the first n reads of upload keys.
type flakyStore struct {
	store.Store
	left *atomic.Int64
}

func (s flakyStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if strings.Contains(key, "/etl/") && s.left.Add(-1) >= 0 {
		return nil, store.ObjectInfo{}, errors.New("injected 503 SlowDown")
	}
	return s.Store.Get(ctx, key)
}

func TestTransientFailuresAreRetried(t *testing.T) {
	left := &atomic.Int64{}
	left.Store(5)
	f := newFixture(t, func(s store.Store) store.Store { return flakyStore{s, left} }, Options{})
	putWindow(t, f.st, "c1")
	f.run(t)
	if code := f.post(t, event("c1", layout.Allocations), nil); code != http.StatusAccepted {
		t.Fatalf("status %d", code)
	}
	eventually(t, "c1 derived after retries", func() bool { return isDerived(t, f.st, "c1") }, f.logs)
	if !strings.Contains(f.logs.String(), "will retry") {
		t.Fatalf("no retry logged:\n%s", f.logs)
	}
}

func TestShutdownDrainsAcceptedEvents(t *testing.T) {
	gate := make(chan struct{})
	f := newFixture(t, func(s store.Store) store.Store { return gateStore{s, gate} }, Options{Workers: 2})
	clusters := []string{"c1", "c2", "c3", "c4", "c5"}
	for _, c := range clusters {
		putWindow(t, f.st, c)
	}
	stop := f.run(t)
	for _, c := range clusters {
		if code := f.post(t, event(c, layout.Allocations), nil); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	// Stop while every accepted key is still queued or in flight, then let the store answer.
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	eventually(t, "queue closed", func() bool { return f.post(t, event("c9", layout.Assets), nil) == http.StatusServiceUnavailable }, f.logs)
	close(gate)
	<-stopped
	for _, c := range clusters {
		if !isDerived(t, f.st, c) {
			t.Fatalf("%s accepted but not ingested by the drain:\n%s", c, f.logs)
		}
	}
}

func TestShutdownLogsWhatIsLeft(t *testing.T) {
	gate := make(chan struct{}) // never opens
	f := newFixture(t, func(s store.Store) store.Store { return gateStore{s, gate} }, Options{Workers: 1, DrainTimeout: 50 * time.Millisecond})
	stop := f.run(t)
	for _, c := range []string{"c1", "c2"} {
		if code := f.post(t, event(c, layout.Allocations), nil); code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	stop()
	logs := f.logs.String()
	if !strings.Contains(logs, "keys not ingested") || !strings.Contains(logs, "federated/c2/etl/allocations") {
		t.Fatalf("the keys left at shutdown are not logged:\n%s", logs)
	}
}

func TestReconcileAtStart(t *testing.T) {
	f := newFixture(t, nil, Options{ReconcileInterval: time.Hour})
	putWindow(t, f.st, "c7") // no event will come
	f.run(t)
	eventually(t, "c7 derived by the start reconcile", func() bool { return isDerived(t, f.st, "c7") }, f.logs)
}

func TestQueueDeduplicates(t *testing.T) {
	q := newQueue(10, time.Millisecond, time.Millisecond)
	if n, err := q.add([]string{"a", "a", "b"}); n != 2 || err != nil {
		t.Fatalf("add = %d, %v; want 2 new", n, err)
	}
	k, _, _ := q.next() // a in flight
	if n, _ := q.add([]string{k}); n != 0 {
		t.Fatalf("re-adding an in-flight key counted as new")
	}
	q.done(k, nil) // runs once more: an event came while in flight
	var got []string
	for range 2 {
		k, _, _ := q.next()
		got = append(got, k)
		q.done(k, nil)
	}
	if strings.Join(got, ",") != "b,a" || q.len() != 0 {
		t.Fatalf("order %v, left %d; want b,a and an empty queue", got, q.len())
	}
}
