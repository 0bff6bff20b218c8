package watcher

import (
	"context"
	"errors"
	"slices"
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
	"github.com/fedcost/fedcost/shared/store/filesystem"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var base = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func win(h int) layout.Window {
	return layout.WindowFor(layout.Hourly, base.Add(time.Duration(h)*time.Hour))
}

func document(t testing.TB, u layout.Upload, cpu float64) []byte {
	t.Helper()
	w := u.Window
	d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i-" + u.Cluster, Source: "test", BuiltAt: w.End})
	if u.Kind == layout.Allocations {
		a := &cost.Allocation{Name: u.Cluster + "/n0/ns/p/c", Start: w.Start, End: w.End,
			Properties: &cost.AllocationProperties{Node: "n0", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: cpu, CPUCost: 0.03 * cpu}
		d.Allocations[a.Name] = a
	} else {
		a := &cost.Asset{Type: cost.NodeAssetType, Start: w.Start, End: w.End,
			Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "custom", Name: "n0"}, CPUCoreHours: 2, CPUCost: 0.08}
		d.Assets[a.Key()] = a
	}
	b, err := etl.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func putWindow(t testing.TB, st store.Store, cluster string, w layout.Window, cpu float64) {
	t.Helper()
	for _, k := range layout.Kinds {
		u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: w}
		if _, err := st.Put(context.Background(), u.Key(), document(t, u, cpu)); err != nil {
			t.Fatal(err)
		}
	}
}

func derivedVersion(t testing.TB, st store.Store, cluster string, w layout.Window) store.Version {
	t.Helper()
	info, err := st.Stat(context.Background(), layout.Derived{Kind: layout.DerivedAllocations, Cluster: cluster, Resolution: layout.Hourly, Window: w}.Key())
	if errors.Is(err, store.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.Version
}

// recorder collects what the hooks observe.
type recorder struct {
	mu         sync.Mutex
	results    []ingest.Result
	errs       int
	reconciles int
}

func (r *recorder) options() Options {
	return Options{
		OnResult: func(res ingest.Result, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if err != nil {
				r.errs++
				return
			}
			r.results = append(r.results, res)
		},
		OnReconcile: func(ingest.ReconcileReport, error) { r.mu.Lock(); r.reconciles++; r.mu.Unlock() },
	}
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, res := range r.results {
		out = append(out, res.Cluster+" "+string(res.Outcome))
	}
	r.results = nil
	slices.Sort(out)
	return out
}

func newCore(t testing.TB, st store.Store) *ingest.Core {
	t.Helper()
	c, err := ingest.New(ingest.Config{Store: st, MaxAttempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPollIngestsNewAndChangedUploads(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"memory", func(t *testing.T) store.Store { return memory.New("w") }},
		{"filesystem", func(t *testing.T) store.Store {
			s, err := filesystem.New(context.Background(), filesystem.Config{Directory: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := tc.open(t)
			putWindow(t, st, "old", win(0), 1) // uploaded before the watcher started
			rec := &recorder{}
			w := New(newCore(t, st), st, rec.options())

			// First pass: the reconcile derives what is already there.
			if err := w.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			if rec.reconciles != 1 || derivedVersion(t, st, "old", win(0)) == "" {
				t.Fatalf("first pass: %d reconciles, old derived %q", rec.reconciles, derivedVersion(t, st, "old", win(0)))
			}
			rec.take()

			// Nothing changed: nothing ingested (derived objects are not watched).
			if err := w.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); len(got) != 0 {
				t.Fatalf("idle pass ingested %v", got)
			}

			// New uploads: one ingest per window (it derives both files).
			putWindow(t, st, "new", win(1), 1)
			putWindow(t, st, "other", win(1), 1)
			if err := w.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !slices.Equal(got, []string{"new derived", "other derived"}) {
				t.Fatalf("after new uploads: %v", got)
			}

			// A changed upload (new version) is derived again.
			before := derivedVersion(t, st, "new", win(1))
			u := layout.Upload{Cluster: "new", Kind: layout.Allocations, Resolution: layout.Hourly, Window: win(1)}
			if _, err := st.Put(ctx, u.Key(), document(t, u, 3)); err != nil {
				t.Fatal(err)
			}
			if err := w.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			if got := rec.take(); !slices.Equal(got, []string{"new derived"}) {
				t.Fatalf("after a changed upload: %v", got)
			}
			if after := derivedVersion(t, st, "new", win(1)); after == before {
				t.Fatal("derived data unchanged after the upload changed")
			}
		})
	}
}

// flakyStore fails reads of upload keys while failing is set.
type flakyStore struct {
	store.Store
	failing *atomic.Bool
}

func (s flakyStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if s.failing.Load() && strings.Contains(key, "/etl/") {
		return nil, store.ObjectInfo{}, errors.New("injected: disk busy")
	}
	return s.Store.Get(ctx, key)
}

func TestFailedIngestIsRetriedNextPass(t *testing.T) {
	ctx := context.Background()
	mem := memory.New("w")
	failing := &atomic.Bool{}
	st := flakyStore{mem, failing}
	rec := &recorder{}
	w := New(newCore(t, st), st, rec.options())
	if err := w.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	putWindow(t, mem, "c1", win(0), 1)
	failing.Store(true)
	if err := w.Poll(ctx); err == nil {
		t.Fatal("a failing ingest should make the pass report an error")
	}
	failing.Store(false)
	if err := w.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); !slices.Equal(got, []string{"c1 derived"}) || derivedVersion(t, mem, "c1", win(0)) == "" {
		t.Fatalf("after recovery: %v", got)
	}
}

// countingStore counts the objects List hands out.
type countingStore struct {
	store.Store
	listed *atomic.Int64
}

func (s countingStore) List(ctx context.Context, prefix, after string, fn func(store.ObjectInfo) error) error {
	return s.Store.List(ctx, prefix, after, func(oi store.ObjectInfo) error {
		s.listed.Add(1)
		return fn(oi)
	})
}

func TestListSkipsOwnFolders(t *testing.T) {
	ctx := context.Background()
	mem := memory.New("w")
	keys := []string{
		"federated/a/heartbeat.json",
		"federated/combined-x/heartbeat.json", // clusters whose ids start like the reserved folders
		"federated/combined.prod/heartbeat.json",
		"federated/combined_x/heartbeat.json",
		"federated/quarantine0/heartbeat.json",
		"federated/zz/heartbeat.json",
	}
	for _, k := range keys {
		if _, err := mem.Put(ctx, k, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		for _, d := range []string{"federated/combined/", "federated/quarantine/"} {
			if _, err := mem.Put(ctx, d+"x/"+strings.Repeat("k", i+1), []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	listed := &atomic.Int64{}
	w := New(nil, countingStore{mem, listed}, Options{})
	cur, err := w.list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range cur {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, keys) {
		t.Fatalf("listed %v; want %v", got, keys)
	}
	if n := listed.Load(); n > int64(len(keys)+2) {
		t.Fatalf("List handed out %d objects: the reserved folders were walked", n)
	}
}

func TestRunWatchesAFilesystemBucket(t *testing.T) {
	st, err := filesystem.New(context.Background(), filesystem.Config{Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	o := rec.options()
	o.Interval = 10 * time.Millisecond
	w := New(newCore(t, st), st, o)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	putWindow(t, st, "live", win(2), 1)
	deadline := time.Now().Add(30 * time.Second)
	for derivedVersion(t, st, "live", win(2)) == "" {
		if time.Now().After(deadline) {
			t.Fatal("upload never derived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}
