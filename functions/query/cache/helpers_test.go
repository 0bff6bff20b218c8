package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/api"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
	"github.com/prometheus/client_golang/prometheus"
)

// testEnd is the simulated fleet's "now".
var testEnd = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

// countingStore counts the reads of objects under federated/combined/.
type countingStore struct {
	store.Store
	mu    sync.Mutex
	reads map[string]int
}

func (s *countingStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	s.mu.Lock()
	if s.reads == nil {
		s.reads = map[string]int{}
	}
	s.reads[key]++
	s.mu.Unlock()
	return s.Store.Get(ctx, key)
}

// take returns the reads since the last call.
func (s *countingStore) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reads
	s.reads = nil
	return r
}

// fleet simulates and derives a small fleet into a memory store.
func fleet(t *testing.T, o sim.Options) (*countingStore, sim.Summary) {
	t.Helper()
	ctx := context.Background()
	st := &countingStore{Store: memory.New("mem")}
	if o.End.IsZero() {
		o.End = testEnd
	}
	sum, err := sim.Generate(ctx, st, o)
	if err != nil {
		t.Fatal(err)
	}
	derive(t, st, "")
	st.take()
	return st, sum
}

// derive reconciles the store (one cluster or all).
func derive(t *testing.T, st store.Store, cluster string) {
	t.Helper()
	core, err := ingest.New(ingest.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := core.Reconcile(context.Background(), ingest.ReconcileOptions{Cluster: cluster})
	if err != nil || rep.Failed > 0 {
		t.Fatalf("reconcile: %v %v", err, rep.Errors)
	}
}

// loaded returns a refreshed cache over st at now (testEnd by default) and its registry.
func loaded(t *testing.T, st store.Store, o Options) (*Cache, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	o.Registry = reg
	if o.Now == nil {
		o.Now = func() time.Time { return testEnd }
	}
	c, err := New(st, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ready() {
		t.Fatal("ready before the first refresh")
	}
	if _, err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !c.Ready() {
		t.Fatal("not ready after the first refresh")
	}
	return c, reg
}

// apiClient serves the cache with api.New and returns a GET helper decoding totalCost per
// name of every set.
func apiClient(t *testing.T, c *Cache) func(path string) []map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(api.New(c, api.Options{Now: func() time.Time { return testEnd }}))
	t.Cleanup(srv.Close)
	return func(path string) []map[string]float64 {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		var out struct {
			Data []map[string]struct {
				TotalCost float64 `json:"totalCost"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v: %.200s", path, err, body)
		}
		sets := make([]map[string]float64, len(out.Data))
		for i, s := range out.Data {
			sets[i] = map[string]float64{}
			for k, v := range s {
				sets[i][k] = v.TotalCost
			}
		}
		return sets
	}
}

// apiNear compares a number the API rounded (to 5 decimals) with an exact one.
func apiNear(got, want float64) bool { return math.Abs(got-want) <= 1e-5+1e-9*math.Abs(want) }

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func windowParam(start, end time.Time) string {
	return fmt.Sprintf("%d,%d", start.Unix(), end.Unix())
}

func hasPrefixKey(m map[string]float64, prefix string) bool {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
